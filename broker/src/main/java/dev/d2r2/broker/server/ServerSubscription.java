package dev.d2r2.broker.server;

import dev.d2r2.broker.log.LogReader;

/**
 * A subscription as the broker holds it: its queue, its session's pump, and while it replays a
 * persistent channel, the log reader and the offset where live delivery takes over.
 */
final class ServerSubscription {
    final int id;
    final ChannelRuntime channel;
    final SubscriberQueue queue;
    final DeliveryPump pump;
    final int priority;
    /** Whether its copies are digests (a voted subscriber's), and those sent lately. */
    final DigestCopies copies = new DigestCopies();
    LogReader replay;
    long replayEnd;
    /** The offset of its first event on a channel with a log (what a client resumes from); -1 without a log. */
    long firstOffset = -1;

    ServerSubscription(int id, ChannelRuntime channel, DeliveryPump pump) {
        this.id = id;
        this.channel = channel;
        this.pump = pump;
        this.priority = channel.spec().channelClass().priority();
        this.queue = new SubscriberQueue(channel.spec().channelClass().queueCapacity(),
                channel.spec().channelClass().overflow(), pump::wakeUp);
    }

    boolean hasWork() {
        return replay != null || !queue.isEmpty() || queue.hasMissing();
    }
}
