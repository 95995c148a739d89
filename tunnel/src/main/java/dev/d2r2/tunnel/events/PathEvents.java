package dev.d2r2.tunnel.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** The event types of multihomed senders ({@code d2r2 tunnel mh}, and an EN with uplinks): their paths' states, scores and switches. */
public final class PathEvents implements EventCatalogue {
    private static final String CHANNEL = "the channel given with --channel (printed on stdout always)";
    private static final String PUBLISHER = "tunnel mh, tunnel EN (with uplinks)";

    public static final EventType SWITCHED = new EventType("tunnel.path.switched", EventType.Kind.STATE, PUBLISHER, CHANNEL,
            "the endpoint's (or EN's) name",
            List.of(required(PathSwitched.REASON, String.class,
                            "up (a path after none), down (the active path stopped being usable), better (another won by the margin "
                                    + "for the hold time), lost (none left) or refused (the peer is no longer trusted)"),
                    required(PathSwitched.PEER, String.class, "the peer endpoint's name; for an EN, the DN it probes (none before it has one)"),
                    required(PathSwitched.MODE, String.class, "primary-backup or concurrent (where the active path is the leading one)")),
            "The path an endpoint sends through changed: from and to are path names (an EN's uplinks), or none.",
            "{\"type\":\"tunnel.path.switched\",\"time\":1000,\"source\":\"a\",\"from\":\"p1\",\"to\":\"p2\","
                    + "\"attrs\":{\"reason\":\"down\",\"peer\":\"b\",\"mode\":\"primary-backup\"}}");

    public static final EventType STATE = new EventType("tunnel.path.state", EventType.Kind.STATE, PUBLISHER, CHANNEL,
            "the endpoint's (or EN's) name",
            List.of(required(PathStateChanged.PATH, String.class, "the path's name"),
                    required(PathStateChanged.PEER, String.class, "the peer endpoint's name; for an EN, the DN it probes (none before it has one)")),
            "A path's liveness changed (down ↔ up): up while a probe's echo came back within down-after.",
            "{\"type\":\"tunnel.path.state\",\"time\":1000,\"source\":\"a\",\"from\":\"up\",\"to\":\"down\","
                    + "\"attrs\":{\"path\":\"p1\",\"peer\":\"b\"}}");

    public static final EventType SCORED = new EventType("tunnel.path.scored", EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the endpoint's (or EN's) name",
            List.of(required(PathScored.PATH, String.class, "the path's name"),
                    required(PathScored.UP, Boolean.class, "whether it is up"),
                    required(PathScored.RTT_MICROS, Long.class, "mean round trip of the probe window (µs; -1 with no echo)"),
                    required(PathScored.JITTER_MICROS, Long.class, "RFC 3550 jitter of the round trips (µs)"),
                    required(PathScored.LOSS, Double.class, "share of the window's settled probes never echoed, 0 to 1"),
                    required(PathScored.TRUST, Double.class, "the path's trust, 0 to 1"),
                    required(PathScored.COST, Double.class, "the score (lower is better; docs/tunnels.md gives the formula)"),
                    required(PathScored.WEIGHT, Long.class, "its share of the traffic (primary-backup: 1 on the active path)"),
                    required(PathScored.SENT, Long.class, "data frames sent on it"),
                    required(PathScored.RECEIVED, Long.class, "data frames received on it")),
            "One path's measurements and score, every score-every.",
            "{\"type\":\"tunnel.path.scored\",\"time\":1000,\"source\":\"a\",\"attrs\":{\"path\":\"p1\",\"up\":true,"
                    + "\"rttMicros\":120,\"jitterMicros\":15,\"loss\":0.0,\"trust\":1.0,\"cost\":0.15,\"weight\":1,\"sent\":5000,"
                    + "\"received\":4990}}");

    @Override
    public String module() {
        return "tunnel.path";
    }

    @Override
    public List<EventType> types() {
        return List.of(SWITCHED, STATE, SCORED);
    }
}
