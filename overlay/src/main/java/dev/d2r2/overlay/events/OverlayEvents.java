package dev.d2r2.overlay.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** Every event type the overlay publishes. */
public final class OverlayEvents implements EventCatalogue {
    public static final EventType NODE_STATUS = new EventType("overlay.node.status", EventType.Kind.MESSAGE, "overlay node",
            "the channel given with --channel (printed on stdout with --print)", "the node's id (40 hex digits)",
            List.of(required(NodeStatus.ADDRESS, String.class, "the node's UDP address (host:port)"),
                    required(NodeStatus.CONTACTS, Long.class, "contacts in its routing table (at most 160 · k)"),
                    required(NodeStatus.VALUES, Long.class, "values it holds for others"),
                    required(NodeStatus.RECEIVED, Long.class, "DHT messages received since start"),
                    required(NodeStatus.SENT, Long.class, "DHT messages sent since start"),
                    required(NodeStatus.TIMEOUTS, Long.class, "queries that got no answer after every attempt"),
                    required(NodeStatus.DROPPED, Long.class, "packets dropped before the DHT: malformed, oversized, foreign key, stale or replayed"),
                    required(NodeStatus.REJECTED, Long.class, "stores refused: bad signature, older than the held value, or store full")),
            "A DHT node's state and counters, every --status-every while it runs.",
            "{\"type\":\"overlay.node.status\",\"time\":1000,\"source\":\"8f3c0d7e9a1b2c3d4e5f60718293a4b5c6d7e8f9\",\"attrs\":"
                    + "{\"address\":\"127.0.0.1:4100\",\"contacts\":57,\"values\":12,\"received\":3120,\"sent\":3095,\"timeouts\":4,"
                    + "\"dropped\":0,\"rejected\":1}}");

    public static final EventType PATH = new EventType("overlay.path", EventType.Kind.STATE, "overlay route agent",
            "the channel given with --channel (printed on stdout with --print)", "the route agent's address (host:port)",
            List.of(required(PathState.DESTINATION, String.class, "the destination agent (host:port)"),
                    required(PathState.RELAY, String.class, "the relay in use (host:port), empty when none"),
                    required(PathState.FOUND_BY, String.class, "how the relay was found: flood, cache (the DHT's relay records), warp-seek, warp-trace, warp-extend (WARP's phases 1–3), empty when none"),
                    required(PathState.SINCE_BREAK, Long.class, "ms since the direct path was declared down (0 when to is direct or down)")),
            "How the agent reaches its destination: `to` is direct (its probes are answered), down (--down-after probes in a row "
                    + "missed; a relay search — limited flooding or WARP — is under way, or under --reroute policy awaits the policy "
                    + "engine's order), relayed (a relay answered; tunnel traffic goes through it until the direct path answers "
                    + "--up-after probes in a row again) or recovered (under --reroute policy: the direct path answers again while the "
                    + "reroute is in force; the relay stays until the policy engine withdraws it).",
            "{\"type\":\"overlay.path\",\"time\":1000,\"source\":\"10.213.0.1:4200\",\"from\":\"down\",\"to\":\"relayed\","
                    + "\"attrs\":{\"destination\":\"10.213.0.2:4200\",\"relay\":\"10.213.0.5:4200\",\"foundBy\":\"flood\",\"sinceBreakMillis\":212}}");

    @Override
    public String module() {
        return "overlay";
    }

    @Override
    public List<EventType> types() {
        return List.of(NODE_STATUS, PATH);
    }
}
