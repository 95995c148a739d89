package dev.d2r2.sip.edge;

/**
 * What became of the messages the edge handled, declared once: each has a fixed name in
 * {@link EdgeProxy#counters()} and in the {@code d2r2_edge_messages} metric's {@code outcome}
 * label. The codec's drop reasons and the statuses the edge answers with are counted beside
 * these by {@link EdgeCounters}.
 */
public enum EdgeCounter {
    RECEIVED("received"),
    ERRORS("errors"),
    FORWARDED_REQUEST("forwarded.request"),
    FORWARDED_RESPONSE("forwarded.response"),
    PROBE_ANSWERS("probe.answers"),
    PROBES_UNANSWERED("probe.unanswered"),
    DROPPED_TOO_LARGE("dropped.too_large"),
    DROPPED_BLOCKED("dropped.blocked"),
    DROPPED_RATE_LIMITED("dropped.rate_limited"),
    DROPPED_RESPONSE_FROM_CLIENT("dropped.response_from_client"),
    DROPPED_CONNECTION_GONE("dropped.connection_gone"),
    DROPPED_NOT_OUR_VIA("dropped.not_our_via"),
    DROPPED_BAD_VIA("dropped.bad_via"),
    FAILOVER_IN_DIALOG("failover.in_dialog"),
    ADMISSION_REFUSED("admission.refused"),
    DIALOGS_STARTED("dialogs.started"),
    DIALOGS_ENDED("dialogs.ended"),
    DIALOGS_TIMED_OUT("dialogs.timed_out"),
    DIALOGS_UNACKNOWLEDGED("dialogs.unacknowledged"),
    TCP_ACCEPTED("tcp.accepted"),
    TCP_CLOSED_ON_FRAMING_ERROR("tcp.closed_on_framing_error"),
    TCP_ERRORS("tcp.errors"),
    TCP_REFUSED_CONNECTIONS("tcp.refused.connections"),
    TCP_REFUSED_PER_SOURCE("tcp.refused.per_source"),
    TCP_CLOSED_IDLE("tcp.closed_idle"),
    TCP_CLOSED_ON_BUFFER_MEMORY("tcp.closed_on_buffer_memory"),
    BACKEND_ADDED("backend.added"),
    BACKEND_REMOVED("backend.removed"),
    BACKEND_WEIGHT("backend.weight"),
    BACKEND_DRAINING("backend.draining"),
    BACKEND_DRAINED("backend.drained"),
    BACKEND_MOVED("backend.moved"),
    BACKEND_DOWN("backend.down"),
    BACKEND_UP("backend.up");

    private final String label;

    EdgeCounter(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
