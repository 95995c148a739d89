package dev.d2r2.monitor;

import dev.d2r2.monitor.events.AlarmEvent;

import java.util.ArrayDeque;

/**
 * The alarm generator for one metric of one service: turns levels into state events
 * ({@code ok|warning|critical|unknown}, Nagios's states) on each confirmed transition. A new
 * level must pass the time-in-state rule of its threshold ({@code for} or {@code k of n});
 * {@code unknown} (the probe could not answer) is reported at once. Not thread-safe: the
 * monitor's agent thread alone touches it.
 */
final class Alarm {
    static final String OK = AlarmEvent.OK;
    static final String WARNING = AlarmEvent.WARNING;
    static final String CRITICAL = AlarmEvent.CRITICAL;
    static final String UNKNOWN = AlarmEvent.UNKNOWN;

    private final String service;
    private final String metric;
    private final ThresholdConfig threshold;
    private final int k;
    private final int n;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final String peer;
    private String state;
    private String candidate;
    private long candidateSince;

    Alarm(String service, String metric, ThresholdConfig threshold) {
        this(service, metric, threshold, null);
    }

    /** {@code peer}: the monitoring peer that publishes, carried in every event ({@code peer} attribute). */
    Alarm(String service, String metric, ThresholdConfig threshold, String peer) {
        this.peer = peer;
        this.service = service;
        this.metric = metric;
        this.threshold = threshold;
        int[] kn = threshold != null && threshold.samples() != null ? ThresholdConfig.kOfN(threshold.samples()) : new int[]{1, 1};
        this.k = kn[0];
        this.n = kn[1];
    }

    String metric() {
        return metric;
    }

    String state() {
        return state;
    }

    /** A value sample; the state event if it confirms a transition, else null. */
    AlarmEvent sample(double value, long now) {
        return level(threshold.level(value, state), now, value, null, null);
    }

    /**
     * A level the probe judged itself (Nagios), with what it said; the state event, whose value
     * is the level's code ({@link AlarmEvent#code}), on a confirmed transition.
     */
    AlarmEvent level(String level, long now, String output) {
        return level(level, now, (double) AlarmEvent.code(level), output, null);
    }

    /** The probe could not answer: {@link #UNKNOWN} at once, with why. */
    AlarmEvent unknown(long now, String error) {
        return level(UNKNOWN, now, null, null, error);
    }

    private AlarmEvent level(String level, long now, Double value, String output, String error) {
        recent.addLast(level);
        while (recent.size() > n) {
            recent.removeFirst();
        }
        if (level.equals(state)) {
            candidate = null;
            return null;
        }
        if (!level.equals(candidate)) {
            candidate = level;
            candidateSince = now;
        }
        if (!confirmed(level, now)) {
            return null;
        }
        AlarmEvent e = new AlarmEvent(metric, now, service, state, level, value, output, error, false, peer);
        state = level;
        candidate = null;
        return e;
    }

    private boolean confirmed(String level, long now) {
        if (level.equals(UNKNOWN) || threshold == null) {
            return true;
        }
        if (threshold.hold() != null) {
            return now - candidateSince >= threshold.hold().toMillis();
        }
        int seen = 0;
        for (String s : recent) {
            if (s.equals(level)) {
                seen++;
            }
        }
        return seen >= k;
    }

    /** The current state again (from = to), so that late subscribers and lost events heal; null before the first. */
    AlarmEvent reassert(long now) {
        return state == null ? null : new AlarmEvent(metric, now, service, state, state, null, null, null, true, peer);
    }

    /**
     * Takes over the state another peer published last for this alarm (the service moved here),
     * so that only real transitions are published again.
     */
    void adopt(String published) {
        if (state == null && published != null) {
            state = published;
        }
    }
}
