package dev.d2r2.migrate.takeover;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A command spawned ahead of need and held by a shell at {@code read} until fired, so that firing
 * it on a takeover costs an {@code exec} rather than the JVM's spawn of a new process (several
 * milliseconds, tens on a loaded host). The next one is spawned after each firing. When the JVM
 * exits, the shell reads end-of-file and exits without running the command.
 */
final class ArmedCommand {
    private final List<String> command;
    private final ProcessBuilder.Redirect output;
    private Process armed;

    /** @param output where its output goes ({@code PIPE} to read it, with its errors) */
    ArmedCommand(List<String> command, ProcessBuilder.Redirect output) {
        this.command = List.copyOf(command);
        this.output = output;
        arm();
    }

    /** Runs the command now: the armed one if it is still waiting, else a new one. */
    Process fire() throws IOException {
        Process p = armed;
        armed = null;
        if (p != null && p.isAlive()) {
            try {
                p.getOutputStream().write('\n');
                p.getOutputStream().close();
                return p;
            } catch (IOException e) {
                p.destroy();
            }
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
    }

    /** Spawns the next armed command; when that fails, the next {@link #fire} spawns it. */
    void arm() {
        List<String> shell = new ArrayList<>(List.of("sh", "-c", "read -r _ && exec \"$@\"", "sh"));
        shell.addAll(command);
        try {
            armed = new ProcessBuilder(shell).redirectErrorStream(true).redirectOutput(output).start();
        } catch (IOException e) {
            armed = null;
        }
    }
}
