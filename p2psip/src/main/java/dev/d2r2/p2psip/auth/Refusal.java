package dev.d2r2.p2psip.auth;

/** Why the authentication server refused a request; the server counts each, the client sees it in the error answer. */
public enum Refusal {
    /** Not a request: wrong magic or version, a field out of range, bytes missing or left over. */
    MALFORMED,
    /** No such enrolled user. Answered as {@link #BAD_MAC}, so the answer does not tell who is enrolled. */
    UNKNOWN_USER,
    /** The request's HMAC does not check with the user's long-term secret. */
    BAD_MAC,
    /** The request's time is further from the server's clock than the replay window. */
    STALE,
    /** A request with this user and nonce was answered within the window. */
    REPLAYED,
    /** A key's proof of possession (its signature over the request's nonce) does not check. */
    BAD_PROOF,
    /** The user asked for more pseudonyms of one kind in one epoch than allowed. */
    QUOTA;

    private static final Refusal[] ALL = values();

    /** What the requester is told. */
    Refusal answered() {
        return this == UNKNOWN_USER ? BAD_MAC : this;
    }

    static Refusal ofCode(int code) {
        return code >= 0 && code < ALL.length ? ALL[code] : MALFORMED;
    }
}
