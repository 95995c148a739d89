package dev.d2r2.p2psip.auth;

/** A request the authentication server refuses (on the server), or refused (on the client). */
public final class RequestRefused extends Exception {
    private final Refusal refusal;

    public RequestRefused(Refusal refusal, String detail) {
        super(refusal + ": " + detail, null, false, false);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }
}
