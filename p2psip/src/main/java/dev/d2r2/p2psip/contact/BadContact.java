package dev.d2r2.p2psip.contact;

/** Contact data a caller refuses; {@link #reason} names the counter it goes to. */
public final class BadContact extends Exception {
    public enum Reason { MALFORMED, FORGED, EXPIRED }

    private final Reason reason;

    public BadContact(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
