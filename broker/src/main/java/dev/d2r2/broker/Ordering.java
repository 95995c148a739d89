package dev.d2r2.broker;

/** The order in which a channel's subscribers see its events. */
public enum Ordering {
    /** No promise. */
    NONE,
    /** Each publisher's events arrive in the order it published them. */
    FIFO,
    /** Every subscriber sees the channel's events in one and the same order (the log's order). */
    TOTAL
}
