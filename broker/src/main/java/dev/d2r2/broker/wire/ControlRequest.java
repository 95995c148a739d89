package dev.d2r2.broker.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.StartPosition;

/**
 * The control requests a client sends in REQUEST frames, one record per {@link Op}; each names
 * the {@link ControlReply} the broker answers it with. {@link ControlCodec} reads and writes their
 * JSON bodies; a missing required field is an {@link IllegalArgumentException} (a bad request).
 */
public sealed interface ControlRequest {
    Op op();

    Class<? extends ControlReply> replyType();

    /** Registers an identity; {@code publicKey} (X.509 encoding) is null when it signs nothing. */
    record Register(String name, byte[] publicKey, boolean admin) implements ControlRequest {
        public Register {
            required(name, "name");
        }

        @Override
        public Op op() {
            return Op.REGISTER;
        }

        @Override
        public Class<ControlReply.Registered> replyType() {
            return ControlReply.Registered.class;
        }
    }

    /** Its body is the channel itself, as operators write it. */
    record CreateChannel(@JsonValue ChannelConfig channel) implements ControlRequest {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public CreateChannel {
            required(channel, "channel");
        }

        @Override
        public Op op() {
            return Op.CREATE_CHANNEL;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    record AlterChannel(@JsonValue ChannelConfig channel) implements ControlRequest {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public AlterChannel {
            required(channel, "channel");
        }

        @Override
        public Op op() {
            return Op.ALTER_CHANNEL;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    record ListChannels() implements ControlRequest {
        @Override
        public Op op() {
            return Op.LIST_CHANNELS;
        }

        @Override
        public Class<ControlReply.ChannelList> replyType() {
            return ControlReply.ChannelList.class;
        }
    }

    record ShowChannel(String tag) implements ControlRequest {
        public ShowChannel {
            required(tag, "tag");
        }

        @Override
        public Op op() {
            return Op.SHOW_CHANNEL;
        }

        @Override
        public Class<ControlReply.ChannelShown> replyType() {
            return ControlReply.ChannelShown.class;
        }
    }

    record OpenPublisher(String tag) implements ControlRequest {
        public OpenPublisher {
            required(tag, "tag");
        }

        @Override
        public Op op() {
            return Op.OPEN_PUBLISHER;
        }

        @Override
        public Class<ControlReply.PublisherOpened> replyType() {
            return ControlReply.PublisherOpened.class;
        }
    }

    record ClosePublisher(int handle) implements ControlRequest {
        @Override
        public Op op() {
            return Op.CLOSE_PUBLISHER;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    /**
     * Subscribes under the client's own {@code subscription} id (so that deliveries can arrive
     * before the reply); at most one of {@code fromOffset} and {@code since}, neither for live.
     * With {@code digests} true the broker sends DIGEST frames instead of the events (a voted
     * subscriber's replicas but the one it takes the events from); absent means false.
     */
    record Subscribe(String tag, int subscription, Long fromOffset, Long since, Boolean digests) implements ControlRequest {
        public Subscribe {
            required(tag, "tag");
            if (subscription < 0) {
                throw new IllegalArgumentException("subscription id " + subscription + " is negative");
            }
            if (fromOffset != null && since != null) {
                throw new IllegalArgumentException("a subscription starts from an offset or a time, not both");
            }
        }

        public static Subscribe of(String tag, int subscription, StartPosition start, boolean digests) {
            Boolean d = digests ? Boolean.TRUE : null;
            return switch (start) {
                case StartPosition.FromOffset o -> new Subscribe(tag, subscription, o.offset(), null, d);
                case StartPosition.Since s -> new Subscribe(tag, subscription, null, s.timeMillis(), d);
                case StartPosition.Live l -> new Subscribe(tag, subscription, null, null, d);
            };
        }

        public StartPosition start() {
            return fromOffset != null ? StartPosition.fromOffset(fromOffset)
                    : since != null ? StartPosition.since(since) : StartPosition.live();
        }

        public boolean digestCopies() {
            return Boolean.TRUE.equals(digests);
        }

        @Override
        public Op op() {
            return Op.SUBSCRIBE;
        }

        @Override
        public Class<ControlReply.Subscribed> replyType() {
            return ControlReply.Subscribed.class;
        }
    }

    /**
     * Switches what a subscription's copies carry: digests, or whole events. Switching to whole
     * events with {@code resendFrom} sends again, whole and first, the events from that offset
     * that the broker sent as digests and still holds (the last {@code 4096}): a voted subscriber
     * taking the events from another replica once the one it took them from went silent or lied.
     */
    record Copies(int subscription, boolean digests, Long resendFrom) implements ControlRequest {
        public Copies {
            if (digests && resendFrom != null) {
                throw new IllegalArgumentException("only whole copies are sent again");
            }
        }

        @Override
        public Op op() {
            return Op.COPIES;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    record Unsubscribe(int subscription) implements ControlRequest {
        @Override
        public Op op() {
            return Op.UNSUBSCRIBE;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    /** What a persistent channel's log holds now (for a reader that must know where it ends). */
    record ReadLogSpan(String tag) implements ControlRequest {
        public ReadLogSpan {
            required(tag, "tag");
        }

        @Override
        public Op op() {
            return Op.LOG_SPAN;
        }

        @Override
        public Class<ControlReply.LogSpanRead> replyType() {
            return ControlReply.LogSpanRead.class;
        }
    }

    /** Deletes a channel (admin only): its subscribers are told, its log stays on disk. */
    record DeleteChannel(String tag) implements ControlRequest {
        public DeleteChannel {
            required(tag, "tag");
        }

        @Override
        public Op op() {
            return Op.DELETE_CHANNEL;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    /** Revokes an identity (admin only): its sessions are closed and its later connects refused. */
    record RevokeIdentity(String name) implements ControlRequest {
        public RevokeIdentity {
            required(name, "name");
        }

        @Override
        public Op op() {
            return Op.REVOKE_IDENTITY;
        }

        @Override
        public Class<ControlReply.Done> replyType() {
            return ControlReply.Done.class;
        }
    }

    /**
     * A control command signed by an administrator, for a Byzantine cluster: opaque here, the
     * replicas decode it and check the signature themselves (module {@code cluster},
     * {@code SignedCommand}).
     */
    record SignedControl(byte[] command) implements ControlRequest {
        public SignedControl {
            required(command, "command");
        }

        @Override
        public Op op() {
            return Op.SIGNED_CONTROL;
        }

        @Override
        public Class<ControlReply.Applied> replyType() {
            return ControlReply.Applied.class;
        }
    }

    private static void required(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("request lacks \"" + field + "\"");
        }
    }
}
