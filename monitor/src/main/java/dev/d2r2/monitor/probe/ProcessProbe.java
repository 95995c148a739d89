package dev.d2r2.monitor.probe;

import dev.d2r2.core.probe.Measurement;
import dev.d2r2.core.probe.Probe;
import dev.d2r2.core.probe.ProbeException;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ProbeKind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code kind: process}: a local process, by pid or by name ({@code /proc/PID/comm}; the lowest
 * pid wins): {@code cpu_percent} (of one core, since the previous measurement), {@code rss_bytes}
 * and {@code fds} (open file descriptors), read from {@code /proc}.
 */
public final class ProcessProbe implements Probe {
    private static final double TICKS_PER_SECOND = 100;
    private static final long PAGE_BYTES = 4096;
    private final String target;
    private long lastPid = -1;
    private long lastTicks;
    private long lastNanos;

    ProcessProbe(String target) {
        this.target = target;
    }

    @Override
    public synchronized Measurement measure(Duration timeout) throws ProbeException {
        long pid = Pids.resolve(target);
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long rssPages = Long.parseLong(f[21]);
            long now = System.nanoTime();
            Map<String, Double> values = new HashMap<>();
            values.put("rss_bytes", (double) rssPages * PAGE_BYTES);
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                values.put("fds", (double) fds.count());
            }
            if (pid == lastPid && now > lastNanos) {
                values.put("cpu_percent", 100.0 * (ticks - lastTicks) / TICKS_PER_SECOND / ((now - lastNanos) / 1e9));
            }
            lastPid = pid;
            lastTicks = ticks;
            lastNanos = now;
            return Measurement.of(values);
        } catch (IOException | RuntimeException e) {
            throw new ProbeException("process " + target + " (pid " + pid + "): " + e.getMessage(), e);
        }
    }

    public static final class Kind implements ProbeKind {
        @Override
        public String key() {
            return "process";
        }

        @Override
        public void validate(ProbeConfig c) {
            c.requireOnly("target");
            c.requireTarget("a pid or a process name");
        }

        @Override
        public Probe create(ProbeConfig c) {
            return new ProcessProbe(c.target());
        }
    }
}
