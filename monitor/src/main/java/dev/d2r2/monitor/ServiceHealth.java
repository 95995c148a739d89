package dev.d2r2.monitor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the resilience assessor knows of one service: when it was up or down (down while one of
 * its alarms is critical or unknown, or, without alarms, while its last probe failed), its probe
 * runs, and its derived metrics. From these, over a window (ResumeNet D3.1c §4.3): Availability =
 * SOT / (SOT + SRT); RRR = reliable responses / requests (probe runs answered without a critical
 * level); SFR = failures per hour; MTBF = operating time / failures; MTTR = repair time / repairs.
 * Not thread-safe: the monitor's agent thread alone touches it.
 */
final class ServiceHealth {
    /** (time, up) at each change of state. */
    private final ArrayDeque<long[]> changes = new ArrayDeque<>();
    /** (time, reliable) per probe run. */
    private final ArrayDeque<long[]> runs = new ArrayDeque<>();
    private final Map<String, String> alarmStates = new HashMap<>();
    private final List<DerivedMetric> model;
    private final Map<String, Double> derived = new LinkedHashMap<>();
    private final Map<String, double[]> lastSample = new HashMap<>();
    private Boolean up;
    private boolean lastRunFailed;

    ServiceHealth(List<DerivedMetric> model) {
        this.model = model;
    }

    void alarm(String metric, String state, long now) {
        alarmStates.put(metric, state);
        update(now);
    }

    void run(boolean answered, boolean critical, long now) {
        runs.addLast(new long[]{now, answered && !critical ? 1 : 0});
        lastRunFailed = !answered;
        update(now);
    }

    private void update(long now) {
        boolean isUp = alarmStates.isEmpty() ? !lastRunFailed
                : alarmStates.values().stream().noneMatch(s -> s.equals(Alarm.CRITICAL) || s.equals(Alarm.UNKNOWN));
        if (up == null || up != isUp) {
            up = isUp;
            changes.addLast(new long[]{now, isUp ? 1 : 0});
        }
    }

    /** Whether the model derives any metric from samples (else samples need not be shown). */
    boolean derives() {
        return !model.isEmpty();
    }

    /** A sample of the service, for the derived metrics. */
    void sample(String metric, double value, long now) {
        for (DerivedMetric d : model) {
            if (d.ewma() != null && d.ewma().equals(metric)) {
                Double prev = derived.get(d.name());
                derived.put(d.name(), prev == null ? value : d.alpha() * value + (1 - d.alpha()) * prev);
            } else if (d.rate() != null && d.rate().equals(metric)) {
                double[] last = lastSample.get(metric);
                if (last != null && now > last[1]) {
                    derived.put(d.name(), (value - last[0]) * 1000.0 / (now - last[1]));
                }
            } else if (d.ratio() != null && d.ratio().contains(metric)) {
                double[] a = metric.equals(d.ratio().get(0)) ? new double[]{value} : lastSample.get(d.ratio().get(0));
                double[] b = metric.equals(d.ratio().get(1)) ? new double[]{value} : lastSample.get(d.ratio().get(1));
                if (a != null && b != null && b[0] != 0) {
                    derived.put(d.name(), a[0] / b[0]);
                }
            }
        }
        lastSample.put(metric, new double[]{value, now});
    }

    /** ResumeNet D3.1c's metrics over [now - window, now], and the derived metrics' latest values. */
    Map<String, Double> assess(long now, long window) {
        long from = now - window;
        while (runs.size() > 0 && runs.peekFirst()[0] < from) {
            runs.removeFirst();
        }
        // Keep the last change before the window: it gives the state at its start.
        while (changes.size() > 1) {
            long[] first = changes.pollFirst();
            if (changes.peekFirst()[0] > from) {
                changes.addFirst(first);
                break;
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (changes.isEmpty()) {
            return out;
        }
        long sot = 0;
        long srt = 0;
        long failures = 0;
        long repairs = 0;
        long[] prev = null;
        for (long[] c : changes) {
            if (prev != null) {
                long span = c[0] - Math.max(prev[0], from);
                if (span > 0) {
                    if (prev[1] == 1) sot += span; else srt += span;
                }
                if (c[0] > from) {
                    if (c[1] == 0) failures++; else repairs++;
                }
            }
            prev = c;
        }
        long tail = now - Math.max(prev[0], from);
        if (prev[1] == 1) sot += tail; else srt += tail;
        long observed = sot + srt;
        if (observed > 0) {
            out.put("availability", (double) sot / observed);
            out.put("sfr_per_hour", failures * 3_600_000.0 / observed);
        }
        if (failures > 0) {
            out.put("mtbf_s", sot / 1000.0 / failures);
        }
        if (repairs > 0) {
            out.put("mttr_s", srt / 1000.0 / repairs);
        }
        if (!runs.isEmpty()) {
            long reliable = runs.stream().filter(r -> r[1] == 1).count();
            out.put("rrr", (double) reliable / runs.size());
        }
        out.putAll(derived);
        return out;
    }
}
