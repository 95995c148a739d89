package dev.d2r2.core.nagios;

import dev.d2r2.core.probe.ProbeException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a Nagios-compatible plugin. {@link #run} makes a plugin that gives no answer (no start,
 * time-out) UNKNOWN; {@link #answer} tells it apart from a plugin that answers UNKNOWN itself.
 */
public final class NagiosPlugin {
    private NagiosPlugin() {
    }

    /** The plugin's answer, or UNKNOWN with why it gave none. */
    public static PluginOutput run(List<String> command, Duration timeout) {
        try {
            return answer(command, timeout);
        } catch (ProbeException e) {
            return PluginOutput.parse(3, e.getMessage());
        }
    }

    /**
     * The plugin's answer, whatever its exit code; a plugin that gives none (cannot start, times
     * out, output unreadable, interrupted) is a {@link ProbeException} saying why.
     */
    public static PluginOutput answer(List<String> command, Duration timeout) throws ProbeException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException | RuntimeException e) {
            throw new ProbeException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new ProbeException("plugin timed out after " + timeout.toMillis() + " ms");
            }
            String stdout = out.get(5, TimeUnit.SECONDS);
            String text = stdout.isBlank() ? err.get(5, TimeUnit.SECONDS) : stdout;
            return PluginOutput.parse(p.exitValue(), text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new ProbeException("interrupted while running the plugin", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            p.destroyForcibly();
            throw new ProbeException("cannot read the plugin's output: " + e.getMessage(), e);
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
