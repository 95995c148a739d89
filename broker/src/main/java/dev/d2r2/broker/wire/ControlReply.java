package dev.d2r2.broker.wire;

import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Protection;

import java.util.List;

/** The broker's answers to {@link ControlRequest}s and to a successful handshake (JSON bodies of RESPONSE frames). */
public sealed interface ControlReply {
    /** The handshake's answer: who the client is now. */
    record Welcome(String identity, boolean admin) implements ControlReply { }

    record Registered(byte[] secret) implements ControlReply { }

    record Done() implements ControlReply { }

    /** A control command applied, and what it did. */
    record Applied(String message) implements ControlReply { }

    record ChannelList(List<ChannelConfig> channels) implements ControlReply { }

    record ChannelShown(ChannelConfig channel) implements ControlReply { }

    /** The handle names the publisher in PUBLISH frames; the key is the channel's (PKE). */
    record PublisherOpened(int handle, Protection protection, byte[] key) implements ControlReply { }

    /**
     * {@code firstOffset}: on a channel with a log, the offset of the subscription's first event
     * (a client that loses its broker resumes from the offset after the last it got, or from
     * this one); absent on channels without a log.
     */
    record Subscribed(int subscription, byte[] key, Long firstOffset) implements ControlReply { }

    /** The log's span; null when the log has no record. */
    record LogSpanRead(LogSpan span) implements ControlReply { }
}
