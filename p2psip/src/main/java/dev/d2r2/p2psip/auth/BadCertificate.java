package dev.d2r2.p2psip.auth;

/** A certificate refused, with the reason a verifier counts it under. */
public final class BadCertificate extends Exception {
    public enum Reason {
        /** Not a certificate: wrong magic or version, a field out of range, bytes missing or left over. */
        MALFORMED,
        /** The signature does not check against the authentication server's key: forged, or altered since. */
        BAD_SIGNATURE,
        EXPIRED,
        NOT_YET_VALID,
        /** A valid certificate of another kind than the one asked for (an identity where a pseudonym was due). */
        WRONG_KIND
    }

    private final Reason reason;

    public BadCertificate(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
