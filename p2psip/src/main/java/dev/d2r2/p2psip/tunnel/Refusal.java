package dev.d2r2.p2psip.tunnel;

/** Why a relay refused a cell; each has its counter in {@link RelayCounters}. */
public enum Refusal {
    /** An unknown cell type, a bad address or key in a record. */
    MALFORMED,
    /** A setup record that does not open under this relay's key (not meant for it, or altered). */
    BAD_SETUP,
    /** A setup record whose one-time key this relay has already seen. */
    SETUP_REPLAY,
    /** A setup record older than the replay window (or too far in the future). */
    SETUP_STALE,
    /** A setup for a link id the predecessor already uses. */
    ID_IN_USE,
    /** A layer whose tag does not verify: altered, replayed or out of order. The tunnel is torn down. */
    BAD_LAYER,
    /** A cell for a tunnel id this relay holds no binding for on that link. */
    UNKNOWN_TUNNEL,
    /** A cell on a connection that has not said who it is. */
    NO_HELLO
}
