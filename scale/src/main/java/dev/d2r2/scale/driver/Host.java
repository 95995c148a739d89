package dev.d2r2.scale.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host's network and process tools ({@code ip}, {@code tc}) and says what failed. */
final class Host {
    private static final long TIMEOUT_SECONDS = 10;

    private Host() {
    }

    /** Runs the command; a non-zero exit is a {@link DriverException} carrying its output. */
    static void run(String... command) throws DriverException {
        String out = attempt(command);
        if (out != null) {
            throw new DriverException(String.join(" ", command) + ": " + out.strip());
        }
    }

    /** Runs the command; null when it succeeded, else its output (for cleanup, where failure is expected). */
    static String attempt(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no exit within " + TIMEOUT_SECONDS + " s";
            }
            return p.exitValue() == 0 ? null : out.isBlank() ? "exit " + p.exitValue() : out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs the command and returns its output, or "" when it failed. */
    static String output(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
