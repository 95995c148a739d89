package dev.d2r2.cluster.command;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.cluster.command.ControlCommand.AddIdentity;
import dev.d2r2.cluster.command.ControlCommand.AlterChannel;
import dev.d2r2.cluster.command.ControlCommand.CreateChannel;
import dev.d2r2.cluster.command.ControlCommand.DeleteChannel;
import dev.d2r2.cluster.command.ControlCommand.DropSubscription;
import dev.d2r2.cluster.command.ControlCommand.Grant;
import dev.d2r2.cluster.command.ControlCommand.RegisterSubscription;
import dev.d2r2.cluster.command.ControlCommand.RevokeIdentity;
import dev.d2r2.cluster.command.ControlCommand.RevokeRight;

import java.time.Duration;
import java.util.Set;

/**
 * The one binary form of a {@link ControlCommand}, as it is stored in the Raft log:
 *
 * <pre>
 *   version (1 byte, {@value #VERSION}) | command tag (1 byte) | the command's fields in declaration order
 * </pre>
 *
 * Tags: 1 add-identity, 2 revoke-identity, 3 create-channel, 4 alter-channel, 5 delete-channel,
 * 6 grant, 7 revoke-right, 8 register-subscription, 9 drop-subscription. Enums travel by name,
 * sets sorted ({@link CanonicalWriter}). {@link #decode} accepts only canonical bytes, so
 * {@code encode(decode(b))} equals {@code b} for every {@code b} it accepts.
 */
public final class CommandCodec {
    public static final int VERSION = 1;

    private CommandCodec() {
    }

    public static byte[] encode(ControlCommand command) {
        CanonicalWriter w = new CanonicalWriter().u8(VERSION);
        switch (command) {
            case AddIdentity c -> w.u8(1).string(c.name()).bytes(c.secret()).bytes(c.publicKey()).bool(c.admin());
            case RevokeIdentity c -> w.u8(2).string(c.name());
            case CreateChannel c -> writeSpec(w.u8(3), c.spec()).bytes(c.key());
            case AlterChannel c -> writeSpec(w.u8(4), c.spec());
            case DeleteChannel c -> w.u8(5).string(c.tag());
            case Grant c -> w.u8(6).string(c.tag()).string(c.right().name()).string(c.identity());
            case RevokeRight c -> w.u8(7).string(c.tag()).string(c.right().name()).string(c.identity());
            case RegisterSubscription c -> w.u8(8).string(c.tag()).string(c.identity()).string(c.name());
            case DropSubscription c -> w.u8(9).string(c.tag()).string(c.identity()).string(c.name());
        }
        return w.toByteArray();
    }

    public static ControlCommand decode(byte[] bytes) throws MalformedCommandException {
        CanonicalReader r = new CanonicalReader(bytes, "control command");
        int version = r.u8();
        if (version != VERSION) {
            throw r.malformed("version " + version + ", this replica reads version " + VERSION);
        }
        int tag = r.u8();
        ControlCommand c;
        try {
            c = switch (tag) {
                case 1 -> new AddIdentity(r.string(), required(r, r.bytes(), "secret"), r.bytes(), r.bool());
                case 2 -> new RevokeIdentity(r.string());
                case 3 -> new CreateChannel(readSpec(r), required(r, r.bytes(), "key"));
                case 4 -> new AlterChannel(readSpec(r));
                case 5 -> new DeleteChannel(r.string());
                case 6 -> new Grant(r.string(), readEnum(r, Right.class), r.string());
                case 7 -> new RevokeRight(r.string(), readEnum(r, Right.class), r.string());
                case 8 -> new RegisterSubscription(r.string(), r.string(), r.string());
                case 9 -> new DropSubscription(r.string(), r.string(), r.string());
                default -> throw r.malformed("unknown command tag " + tag);
            };
        } catch (IllegalArgumentException | NullPointerException e) {
            throw r.malformed(e.getMessage());
        }
        r.end();
        return c;
    }

    public static CanonicalWriter writeSpec(CanonicalWriter w, ChannelSpec spec) {
        ChannelClass c = spec.channelClass();
        return w.string(spec.tag()).string(c.ordering().name()).u8(c.priority()).string(c.persistence().name())
                .string(c.fsync().kind().name()).i64(c.fsync().interval().toNanos()).i32(c.queueCapacity())
                .string(c.overflow().name()).string(c.faultModel().name()).string(c.protection().name())
                .sortedStrings(spec.publishers()).sortedStrings(spec.subscribers()).string(c.durability().name());
    }

    public static ChannelSpec readSpec(CanonicalReader r) throws MalformedCommandException {
        String tag = r.string();
        Ordering ordering = readEnum(r, Ordering.class);
        int priority = r.u8();
        Persistence persistence = readEnum(r, Persistence.class);
        FsyncPolicy.Kind kind = readEnum(r, FsyncPolicy.Kind.class);
        long intervalNanos = r.i64();
        if (kind != FsyncPolicy.Kind.INTERVAL && intervalNanos != 0) {
            throw r.malformed("fsync " + kind + " has an interval");
        }
        FsyncPolicy fsync = new FsyncPolicy(kind, Duration.ofNanos(intervalNanos));
        int queue = r.i32();
        OverflowPolicy overflow = readEnum(r, OverflowPolicy.class);
        FaultModel faultModel = readEnum(r, FaultModel.class);
        Protection protection = readEnum(r, Protection.class);
        Set<String> publishers = r.sortedStrings();
        Set<String> subscribers = r.sortedStrings();
        ChannelClass c = new ChannelClass(ordering, priority, persistence, fsync, queue, overflow, faultModel,
                protection, readEnum(r, Durability.class));
        return new ChannelSpec(tag, c, publishers, subscribers);
    }

    private static <E extends Enum<E>> E readEnum(CanonicalReader r, Class<E> type) throws MalformedCommandException {
        String name = r.string();
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        throw r.malformed("\"" + name + "\" is not a " + type.getSimpleName());
    }

    private static byte[] required(CanonicalReader r, byte[] value, String field) throws MalformedCommandException {
        if (value == null) {
            throw r.malformed("no " + field);
        }
        return value;
    }
}
