package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code sip.edge.traffic}: a telemetry window's rates per second — requests in by method,
 * responses out by class ({@code 1}–{@code 6}), drops — and the active dialogs, overall and per
 * backend.
 */
public record EdgeTraffic(long time, String edge, Map<String, Double> inByMethod, double in, Map<Integer, Double> outByClass,
                          double out, double dropped, long dialogs, Map<String, Long> dialogsByBackend, long sources,
                          long suspects) {

    public EdgeTraffic {
        inByMethod = Map.copyOf(inByMethod);
        outByClass = Map.copyOf(outByClass);
        dialogsByBackend = Map.copyOf(dialogsByBackend);
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        inByMethod.forEach((method, r) -> attrs.put(SipKeys.IN_OF + method, r));
        attrs.put(SipKeys.IN, in);
        outByClass.forEach((cls, r) -> attrs.put(SipKeys.outOf(cls), r));
        attrs.put(SipKeys.OUT, out);
        attrs.put(SipKeys.DROPPED, dropped);
        attrs.put(SipKeys.DIALOGS, dialogs);
        dialogsByBackend.forEach((backend, n) -> attrs.put(SipKeys.DIALOGS_OF + backend, n));
        attrs.put(SipKeys.SOURCES, sources);
        attrs.put(SipKeys.SUSPECTS, suspects);
        return Event.message(SipEvents.EDGE_TRAFFIC.name(), time, edge, attrs);
    }

    public static EdgeTraffic from(Event e) throws EventFormatException {
        EventAttrs.expect(e, SipEvents.EDGE_TRAFFIC);
        Map<String, Double> in = new LinkedHashMap<>();
        Map<Integer, Double> out = new LinkedHashMap<>();
        Map<String, Long> byBackend = new LinkedHashMap<>();
        for (String key : e.attrs().keySet()) {
            if (key.startsWith(SipKeys.IN_OF)) {
                in.put(key.substring(SipKeys.IN_OF.length()), EventAttrs.number(e, key));
            } else if (key.startsWith(SipKeys.DIALOGS_OF)) {
                byBackend.put(key.substring(SipKeys.DIALOGS_OF.length()), EventAttrs.integer(e, key));
            }
        }
        for (int c = 1; c <= 6; c++) {
            if (e.attrs().containsKey(SipKeys.outOf(c))) {
                out.put(c, EventAttrs.number(e, SipKeys.outOf(c)));
            }
        }
        return new EdgeTraffic(e.time(), e.source(), in, EventAttrs.number(e, SipKeys.IN, 0), out,
                EventAttrs.number(e, SipKeys.OUT, 0), EventAttrs.number(e, SipKeys.DROPPED, 0),
                EventAttrs.integer(e, SipKeys.DIALOGS, 0), byBackend, EventAttrs.integer(e, SipKeys.SOURCES, 0),
                EventAttrs.integer(e, SipKeys.SUSPECTS, 0));
    }

    /** The rate of {@code method}'s requests in, 0 when none came. */
    public double in(String method) {
        return inByMethod.getOrDefault(method, 0.0);
    }
}
