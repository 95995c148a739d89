package dev.d2r2.monitor;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.monitor.events.MonitorEvents;
import dev.d2r2.monitor.events.ProbeError;
import dev.d2r2.monitor.events.Sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A monitor's thresholds without its probes: the samples and probe errors a monitor published on
 * its metrics channel in, the alarm events its alarm generators would publish out. The same
 * {@link Alarm}s as the live {@link Monitor}, fed the recorded values instead of fresh
 * measurements, so that a replay re-runs the notification layer with changed thresholds. Not
 * thread-safe.
 */
public final class Thresholds {
    /** The alarm of each (service, metric) with a threshold. */
    private final Map<String, Alarm> alarms = new HashMap<>();
    /** The alarms each (service, probe) feeds, which go unknown when the probe fails. */
    private final Map<String, List<Alarm>> byProbe = new HashMap<>();

    /** {@code peer}: the monitoring peer named in the alarm events, as the live monitor does. */
    public Thresholds(MonitorConfig config, String peer) {
        for (ServiceConfig s : config.services()) {
            for (ProbeConfig p : s.probes()) {
                List<Alarm> fed = new ArrayList<>();
                for (ThresholdConfig t : s.thresholds()) {
                    if (ServiceConfig.probeOf(s.probes(), t.metric()) == p) {
                        Alarm a = new Alarm(s.name(), t.metric(), t, peer);
                        alarms.put(key(s.name(), t.metric()), a);
                        fed.add(a);
                    }
                }
                byProbe.put(key(s.name(), p.name()), List.copyOf(fed));
            }
        }
    }

    private static String key(String service, String name) {
        return service + '\0' + name;
    }

    /**
     * A sample or a probe error from the metrics channel; each alarm transition it confirms goes
     * to {@code out}. Other events are ignored; a malformed one throws.
     */
    public void accept(Event e, Consumer<AlarmEvent> out) throws EventFormatException {
        if (MonitorEvents.PROBE_ERROR.matches(e.type())) {
            ProbeError error = ProbeError.from(e);
            for (Alarm a : byProbe.getOrDefault(key(error.service(), error.probe()), List.of())) {
                emit(a.unknown(error.time(), error.error()), out);
            }
        } else if (MonitorEvents.SAMPLE.matches(e.type())) {
            Sample s = Sample.from(e);
            Alarm a = alarms.get(key(s.service(), s.metric()));
            if (a == null) {
                return;
            }
            if (byProbe.containsKey(key(s.service(), s.metric()))) {
                emit(a.level(state((int) s.value()), s.time(), null), out);
            } else {
                emit(a.sample(s.value(), s.time()), out);
            }
        }
    }

    /** The current state of a metric's alarm published again, as the monitor does every {@code reassert}; null when none. */
    public AlarmEvent reassert(String service, String metric, long now) {
        Alarm a = alarms.get(key(service, metric));
        return a == null ? null : a.reassert(now);
    }

    /** Whether a threshold watches this service's metric (its recorded alarms are then recomputed). */
    public boolean watches(String service, String metric) {
        return alarms.containsKey(key(service, metric));
    }

    private static String state(int code) {
        return switch (code) {
            case 0 -> Alarm.OK;
            case 1 -> Alarm.WARNING;
            case 2 -> Alarm.CRITICAL;
            default -> Alarm.UNKNOWN;
        };
    }

    private static void emit(AlarmEvent e, Consumer<AlarmEvent> out) {
        if (e != null) {
            out.accept(e);
        }
    }
}
