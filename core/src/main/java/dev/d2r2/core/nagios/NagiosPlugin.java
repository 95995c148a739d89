package dev.d2r2.core.nagios;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a Nagios-compatible plugin. Plugin misbehaviour (no start, time-out, crash) is UNKNOWN, never an exception. */
public final class NagiosPlugin {
    private NagiosPlugin() {
    }

    public static PluginOutput run(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException | RuntimeException e) {
            return PluginOutput.parse(3, "cannot run " + String.join(" ", command) + ": " + e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return PluginOutput.parse(3, "plugin timed out after " + timeout.toMillis() + " ms");
            }
            String stdout = out.get(5, TimeUnit.SECONDS);
            String text = stdout.isBlank() ? err.get(5, TimeUnit.SECONDS) : stdout;
            return PluginOutput.parse(p.exitValue(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return PluginOutput.parse(3, "interrupted while running the plugin");
        } catch (Exception e) {
            p.destroyForcibly();
            return PluginOutput.parse(3, "cannot read the plugin's output: " + e.getMessage());
        }
    }

    private static String read(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(PluginOutput.MAX_OUTPUT_CHARS);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
