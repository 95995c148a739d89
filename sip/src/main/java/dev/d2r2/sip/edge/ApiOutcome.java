package dev.d2r2.sip.edge;

/**
 * What became of each call to the edge's API, declared once: the name in {@link EdgeApi#counters()}
 * and in the {@code d2r2_edge_api_requests} metric's {@code outcome} label, and the HTTP status.
 */
public enum ApiOutcome {
    READ("read", 200),
    APPLIED("applied", 200),
    /** No token, or a wrong one. */
    UNAUTHORIZED("unauthorized", 401),
    /** A change asked of an API given no token: it takes none. */
    READ_ONLY("read_only", 403),
    /** Not JSON, not an object, a missing or mistyped field, a target that is not an address, a block or a caller. */
    BAD_REQUEST("bad_request", 400),
    /** Valid but beyond the limits: too wide a block, a target on the allow-list. */
    REFUSED("refused", 403),
    /** An op the edge does not know (the policy engine counts it refused and does not retry). */
    UNKNOWN_OP("unknown_op", 422),
    TOO_LARGE("too_large", 413),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    ERROR("error", 500);

    private final String label;
    private final int status;

    ApiOutcome(String label, int status) {
        this.label = label;
        this.status = status;
    }

    public String label() {
        return label;
    }

    public int status() {
        return status;
    }
}
