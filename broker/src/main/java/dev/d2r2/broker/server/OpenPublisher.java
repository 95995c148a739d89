package dev.d2r2.broker.server;

import java.util.concurrent.atomic.AtomicBoolean;

/** A publisher a session opened: its handle in PUBLISH frames, its channel, what it awaits acknowledging. */
final class OpenPublisher {
    final int handle;
    final ChannelRuntime channel;
    /** The last sequence number published in this burst (session reader thread only). */
    long lastSeq;
    long lastOffset = -1;
    /** The sequence number to acknowledge once the log is written (set by the reader, read by the ACK flusher). */
    volatile long ackDue;
    final AtomicBoolean queued = new AtomicBoolean();

    OpenPublisher(int handle, ChannelRuntime channel) {
        this.handle = handle;
        this.channel = channel;
    }
}
