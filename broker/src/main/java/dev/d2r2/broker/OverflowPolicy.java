package dev.d2r2.broker;

/** What a channel does when a subscriber's queue is full. */
public enum OverflowPolicy {
    /** The publisher waits until the subscriber has room. */
    BLOCK,
    /** The oldest queued event is dropped and the subscriber receives a Missing-Event notice. */
    DROP_OLDEST,
    /** The subscriber is disconnected. */
    DISCONNECT
}
