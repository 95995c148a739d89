package dev.d2r2.monitor.events;

import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

/**
 * What a monitoring peer publishes: samples and probe failures on its metrics channel, alarms on
 * its alarms channel, heartbeats on its group's channel and resilience metrics on the resilience
 * channel. Sample and alarm types are named by the metric, which the configuration chooses.
 */
public final class MonitorEvents implements EventCatalogue {
    private static final String PUBLISHER = "monitor";
    private static final Attribute PEER = Attribute.optional(Sample.PEER, String.class, "the monitoring peer that published it");

    public static final EventType SAMPLE = new EventType("<probe>.<value>", EventType.Kind.MESSAGE, PUBLISHER,
            "metrics (monitor.metrics)", "the service probed",
            List.of(Attribute.required(Sample.VALUE, Double.class, "the value measured"), PEER),
            "One value a probe measured, named `<probe name>.<value>` (`tcp.connect_ms`, `sip.rtt_ms`, `nagios.check_tcp.time`); "
                    + "a Nagios plugin's own state is named by the probe (`nagios.check_tcp`), valued 0-3 (ok, warning, critical, unknown).",
            "{\"type\":\"tcp.connect_ms\",\"time\":1795000000000,\"source\":\"sip-gw-1\","
                    + "\"attrs\":{\"value\":0.42,\"peer\":\"mon-a\"}}");

    public static final EventType PROBE_ERROR = new EventType("<probe>" + ProbeError.SUFFIX, EventType.Kind.MESSAGE, PUBLISHER,
            "metrics (monitor.metrics)", "the service probed",
            List.of(Attribute.required(ProbeError.ERROR, String.class, "why the probe could not answer"), PEER),
            "A probe could not answer (refused, timed out, unreadable answer); its alarms go `unknown` at once.",
            "{\"type\":\"tcp.error\",\"time\":1795000000000,\"source\":\"sip-gw-1\","
                    + "\"attrs\":{\"error\":\"connection refused\",\"peer\":\"mon-a\"}}");

    public static final EventType ALARM = new EventType("<metric>", EventType.Kind.STATE, PUBLISHER, "alarms (monitor.alarms)",
            "the service",
            List.of(Attribute.optional(Sample.VALUE, Double.class,
                            "the sample that confirmed the transition (for a Nagios plugin's own state, its code 0-3)"),
                    Attribute.optional(AlarmEvent.OUTPUT, String.class, "what a Nagios plugin said, for its own state"),
                    Attribute.optional(ProbeError.ERROR, String.class, "why the probe could not answer, for `unknown`"),
                    Attribute.optional(AlarmEvent.REASSERTED, Boolean.class,
                            "true when the current state is published again (`from` = `to`), every `reassert`"),
                    PEER),
            "A confirmed transition of a threshold's metric (or of a Nagios probe's own state, named by the probe) between "
                    + "`ok`, `warning`, `critical` and `unknown`; `from` is absent on the first.",
            "{\"type\":\"tcp.connect_ms\",\"time\":1795000000000,\"source\":\"sip-gw-1\",\"from\":\"ok\","
                    + "\"to\":\"critical\",\"attrs\":{\"value\":250.0,\"peer\":\"mon-a\"}}");

    public static final EventType HEARTBEAT = new EventType("monitor.heartbeat", EventType.Kind.MESSAGE, PUBLISHER,
            "the peers' group (monitor.peers.channel)", "the peer's name", List.of(),
            "A monitoring peer is alive; a peer not heard from for two heartbeats is gone and its services move.",
            "{\"type\":\"monitor.heartbeat\",\"time\":1795000000000,\"source\":\"mon-a\"}");

    public static final EventType RESILIENCE = new EventType(ResilienceMeasure.PREFIX + "*", EventType.Kind.MESSAGE, PUBLISHER,
            "resilience (monitor.resilience.channel)", "the service",
            List.of(Attribute.required(Sample.VALUE, Double.class, "the metric over the assessor's window"), PEER),
            "A resilience metric of a service (`availability`, `rrr`, `sfr_per_hour`, `mtbf_s`, `mttr_s`, or a derived "
                    + "metric of its model), every `resilience.every`.",
            "{\"type\":\"resilience.availability\",\"time\":1795000000000,\"source\":\"sip-gw-1\","
                    + "\"attrs\":{\"value\":0.998,\"peer\":\"mon-a\"}}");

    @Override
    public String module() {
        return "monitor";
    }

    @Override
    public List<EventType> types() {
        return List.of(SAMPLE, PROBE_ERROR, ALARM, HEARTBEAT, RESILIENCE);
    }
}
