package dev.d2r2.p2psip.tunnel;

/** Input a relay refuses; {@link #reason} names the counter it goes to. */
public final class MalformedCell extends Exception {
    private final Refusal reason;

    public MalformedCell(Refusal reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Refusal reason() {
        return reason;
    }
}
