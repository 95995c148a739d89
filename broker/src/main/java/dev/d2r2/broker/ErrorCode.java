package dev.d2r2.broker;

/** Why the broker refused a request; the wire carries the ordinal's {@link #code()}. */
public enum ErrorCode {
    BAD_REQUEST(1),
    UNAUTHENTICATED(2),
    FORBIDDEN(3),
    UNKNOWN_CHANNEL(4),
    CHANNEL_EXISTS(5),
    NOT_PERSISTENT(6),
    INTEGRITY(7),
    UNKNOWN_IDENTITY(8),
    IDENTITY_EXISTS(9),
    DISCONNECTED(10),
    INTERNAL(11),
    /** A connection limit of the broker's was reached (see docs/operations.md); try again later or elsewhere. */
    LIMIT(12),
    /** The broker's disk is full: it stores nothing more, but reads and replays go on. */
    DISK_FULL(13),
    /**
     * This broker cannot serve the request now (a replica that is not the leader, or has no
     * quorum): nothing was done; a client fails over to another replica and tries again there.
     */
    UNAVAILABLE(14);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}
