package dev.d2r2.p2psip.auth;

/**
 * What a certificate binds its key to. An identity certificate names its user; the two pseudonym
 * kinds name nobody, and a pseudonym serves in one overlay only, so its two lives cannot be matched.
 */
public enum CertificateKind {
    /** The key speaks for the user named in the certificate. */
    IDENTITY,
    /** The key is an enrolled user's pseudonym in the storage overlay. */
    STORAGE,
    /** The key is an enrolled user's pseudonym in the forwarding overlay. */
    FORWARDING;

    private static final CertificateKind[] ALL = values();

    public boolean pseudonym() {
        return this != IDENTITY;
    }

    static CertificateKind ofCode(int code) {
        return code >= 0 && code < ALL.length ? ALL[code] : null;
    }
}
