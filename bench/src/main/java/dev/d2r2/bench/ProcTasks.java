package dev.d2r2.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Per-thread CPU from {@code /proc/PID/task/TID/stat}, by thread name. */
final class ProcTasks {
    /** Linux's USER_HZ on every architecture this runs on: the unit of utime and stime. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcTasks() {
    }

    /** CPU seconds (user and system) of the threads of {@code pid} whose name {@code named} accepts; 0 once it is gone. */
    static double cpuSeconds(long pid, Predicate<String> named) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.mapToLong(t -> ticks(t.resolve("stat"), named)).sum() / TICKS_PER_SECOND;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long ticks(Path stat, Predicate<String> named) {
        String s;
        try {
            s = Files.readString(stat);
        } catch (IOException e) {
            return 0;
        }
        int open = s.indexOf('(');
        int close = s.lastIndexOf(')');
        if (open < 0 || close < open || !named.test(s.substring(open + 1, close))) {
            return 0;
        }
        String[] f = s.substring(close + 2).split(" ");
        // After the name: state is field 3 of stat(5), utime 14 and stime 15.
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
