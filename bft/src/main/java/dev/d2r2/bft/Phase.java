package dev.d2r2.bft;

/**
 * The three voting phases of basic HotStuff (paper, Algorithm 2). DECIDE is not a voting phase:
 * its message carries the COMMIT certificate.
 */
public enum Phase {
    PREPARE,
    PRE_COMMIT,
    COMMIT;

    private static final Phase[] VALUES = values();

    static Phase fromCode(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }
}
