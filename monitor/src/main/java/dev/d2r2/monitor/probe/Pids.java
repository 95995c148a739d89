package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.ProbeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A local process named by a pid or by its name ({@code /proc/PID/comm}; the lowest pid wins). */
final class Pids {
    private Pids() {
    }

    static long resolve(String target) throws ProbeException {
        if (target.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(target);
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .mapToLong(Long::parseLong).sorted()
                    .filter(p -> target.equals(comm(p))).findFirst()
                    .orElseThrow(() -> new ProbeException("no process named " + target));
        } catch (IOException e) {
            throw new ProbeException("cannot list /proc: " + e.getMessage(), e);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
