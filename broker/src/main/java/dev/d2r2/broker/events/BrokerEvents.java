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

    private static final List<EventType> TYPES = List.of(LOG_DAMAGED);

    @Override
    public String module() {
        return "broker";
    }

    @Override
    public List<EventType> types() {
        return TYPES;
    }
}
