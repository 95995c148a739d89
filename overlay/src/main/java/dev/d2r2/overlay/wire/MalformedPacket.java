package dev.d2r2.overlay.wire;

/** A datagram that is not a well-formed, authentic, fresh overlay packet; {@link #reason} names the counter. */
public final class MalformedPacket extends Exception {
    public enum Reason { TRUNCATED, OVERSIZED, BAD_HEADER, BAD_FIELD, TRAILING_BYTES, UNAUTHENTICATED, STALE, REPLAYED }

    private final Reason reason;

    public MalformedPacket(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
