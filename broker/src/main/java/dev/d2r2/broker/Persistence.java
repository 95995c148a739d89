package dev.d2r2.broker;

/** Whether a channel keeps its events. */
public enum Persistence {
    /** Events live only in subscriber queues. */
    NONE,
    /** Events are appended to a segmented log on disk and can be replayed. */
    LOG
}
