package dev.d2r2.broker.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;
import dev.d2r2.core.nagios.PerfData;
import dev.d2r2.core.nagios.PluginOutput;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code nagios.*}: a Nagios plugin's result as the Nagios bridge publishes it. {@code perfData}
 * maps each attribute key (a sanitized label, or {@code <label>.uom}) to its value.
 */
public record NagiosCheck(String type, long time, String source, String from, String to, String output,
                          Map<String, Object> perfData) {
    public NagiosCheck {
        perfData = Map.copyOf(perfData);
    }

    /** {@code nagios.<plugin file name>}, the type when none is given. */
    public static String defaultType(String plugin) {
        String family = BrokerEvents.NAGIOS.name();
        return family.substring(0, family.length() - 1) + Path.of(plugin).getFileName();
    }

    /** A run's result; {@code previous} is the previous run's state (null for the first). */
    public static NagiosCheck of(PluginOutput out, String type, String source, String previous, long time) {
        Map<String, Object> perf = new LinkedHashMap<>();
        for (PerfData p : out.perfData()) {
            String key = PluginOutput.sanitize(p.label());
            double v = p.value();
            perf.put(key, v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v);
            if (!p.unit().isEmpty()) {
                perf.put(key + BrokerKeys.UOM_SUFFIX, p.unit());
            }
        }
        return new NagiosCheck(type, time, source, previous, out.state().eventName(), out.text(), perf);
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(BrokerKeys.OUTPUT, output);
        attrs.putAll(perfData);
        return Event.state(type, time, source, from, to, attrs);
    }

    public static NagiosCheck from(Event e) throws EventFormatException {
        EventAttrs.expect(e, BrokerEvents.NAGIOS);
        Map<String, Object> perf = new LinkedHashMap<>(e.attrs());
        perf.remove(BrokerKeys.OUTPUT);
        return new NagiosCheck(e.type(), e.time(), e.source(), e.from(), e.to(), EventAttrs.string(e, BrokerKeys.OUTPUT), perf);
    }
}
