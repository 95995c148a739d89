package dev.d2r2.broker.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.optional;
import static dev.d2r2.core.events.Attribute.required;

/** Every event type the broker itself publishes. */
public final class BrokerEvents implements EventCatalogue {
    /** The broker's own channel: persistent, readable by administrators (see docs/broker.md). */
    public static final String SYSTEM_CHANNEL = "d2r2.broker";

    public static final EventType LOG_DAMAGED = new EventType("broker.log.damaged", EventType.Kind.MESSAGE, "broker",
            SYSTEM_CHANNEL, "broker",
            List.of(required(BrokerKeys.CHANNEL, String.class, "the channel whose log was repaired"),
                    required(BrokerKeys.SEGMENT, String.class, "the segment file"),
                    required(BrokerKeys.KIND, String.class, "torn-tail (the log ended in part of a record) or damaged "
                            + "(whole records failed their checksum)"),
                    required(BrokerKeys.POSITION, Long.class, "where in the segment the cut bytes began"),
                    required(BrokerKeys.BYTES, Long.class, "how many bytes were cut"),
                    required(BrokerKeys.FROM_OFFSET, Long.class, "the first offset lost"),
                    required(BrokerKeys.TO_OFFSET, Long.class, "the last offset lost (below fromOffset: none)"),
                    required(BrokerKeys.LOST, Long.class, "how many offsets were lost"),
                    optional(BrokerKeys.QUARANTINE, String.class, "the file next to the segment that keeps the damaged bytes")),
            "On start, recovery cut a torn tail or a damaged range from a channel's log. Every record that verified "
                    + "was kept; these offsets are gone.",
            "{\"type\":\"broker.log.damaged\",\"time\":1000,\"source\":\"broker\",\"attrs\":{\"channel\":\"alarms\","
                    + "\"segment\":\"00000000000000000000.log\",\"kind\":\"damaged\",\"position\":33554432,\"bytes\":86,"
                    + "\"fromOffset\":163793,\"toOffset\":163793,\"lost\":1,"
                    + "\"quarantine\":\"00000000000000000000.log.33554432.damaged\"}}");

    public static final EventType NAGIOS = new EventType("nagios.*", EventType.Kind.STATE, "nagios-run (the Nagios bridge)",
            "the channel given with --channel", "the monitored entity (--source, default the host name)",
            List.of(required(BrokerKeys.OUTPUT, String.class, "the plugin's first line of output"),
                    optional("LABEL", Double.class, "each performance-data item's value under its label (an integer when it is whole; "
                            + "characters other than letters, digits, '_' and '.' become '_')"),
                    optional("LABEL.uom", String.class, "its unit, when it has one")),
            "A Nagios plugin's result: `to` is ok, warning, critical or unknown (exit code 0-3; anything else, a "
                    + "time-out or a plugin that cannot start is unknown), `from` the previous run's state with --interval. "
                    + "The type is nagios.<plugin file name> unless --type names another.",
            "{\"type\":\"nagios.check_tcp\",\"time\":1000,\"source\":\"broker\",\"from\":\"ok\",\"to\":\"critical\","
                    + "\"attrs\":{\"output\":\"Connection refused\"}}");

    public static final EventType FORWARDED_GAP = new EventType("broker.forwarded.gap", EventType.Kind.MESSAGE, "broker",
            SYSTEM_CHANNEL, "broker",
            List.of(required(BrokerKeys.CHANNEL, String.class, "the forwarded channel"),
                    required(BrokerKeys.PUBLISHER, String.class, "the publisher whose events are missing"),
                    required(BrokerKeys.FROM_SEQUENCE, Long.class, "the first of its sequence numbers missing"),
                    required(BrokerKeys.TO_SEQUENCE, Long.class, "the last of its sequence numbers missing"),
                    required(BrokerKeys.LOST, Long.class, "how many events are missing")),
            "A replica back from an outage caught up a forwarded channel from the other replicas' logs, but they no "
                    + "longer reached back to the publisher's event after the last one this replica held (beyond the "
                    + "catch-up's reach or the peers' retention): these events are not in this replica's log.",
            "{\"type\":\"broker.forwarded.gap\",\"time\":1000,\"source\":\"broker\",\"attrs\":{\"channel\":\"paths\","
                    + "\"publisher\":\"probe-1\",\"fromSequence\":101,\"toSequence\":800,\"lost\":700}}");

    private static final List<EventType> TYPES = List.of(LOG_DAMAGED, FORWARDED_GAP, NAGIOS);

    @Override
    public String module() {
        return "broker";
    }

    @Override
    public List<EventType> types() {
        return TYPES;
    }
}
