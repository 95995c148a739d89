package dev.d2r2.cluster.state;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.CanonicalReader;
import dev.d2r2.cluster.command.CanonicalWriter;
import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.ControlCommand.AddIdentity;
import dev.d2r2.cluster.command.ControlCommand.AlterChannel;
import dev.d2r2.cluster.command.ControlCommand.CreateChannel;
import dev.d2r2.cluster.command.ControlCommand.DeleteChannel;
import dev.d2r2.cluster.command.ControlCommand.DropSubscription;
import dev.d2r2.cluster.command.ControlCommand.Grant;
import dev.d2r2.cluster.command.ControlCommand.RegisterSubscription;
import dev.d2r2.cluster.command.ControlCommand.RevokeIdentity;
import dev.d2r2.cluster.command.ControlCommand.RevokeRight;
import dev.d2r2.cluster.command.MalformedCommandException;
import dev.d2r2.cluster.command.Right;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated control plane of the broker: identities, the control table (channels, their
 * keys and rights) and durable subscriptions, in sorted maps. {@link #apply} is deterministic
 * (a command's effect depends only on the state and the command), and {@link #encode} is
 * canonical, so replicas that applied the same log have equal {@link #digest}s. Not
 * thread-safe: its owner serialises access.
 */
public final class ControlState {
    /** The version byte of a snapshot's encoding. */
    public static final int VERSION = 1;

    public record IdentityEntry(String name, byte[] secret, byte[] publicKey, boolean admin) {
    }

    public record ChannelEntry(ChannelSpec spec, byte[] key) {
    }

    public record SubscriptionKey(String tag, String identity, String name) implements Comparable<SubscriptionKey> {
        @Override
        public int compareTo(SubscriptionKey o) {
            int c = tag.compareTo(o.tag);
            if (c == 0) {
                c = identity.compareTo(o.identity);
            }
            return c != 0 ? c : name.compareTo(o.name);
        }
    }

    private final TreeMap<String, IdentityEntry> identities = new TreeMap<>();
    private final TreeMap<String, ChannelEntry> channels = new TreeMap<>();
    private final TreeSet<SubscriptionKey> subscriptions = new TreeSet<>();

    public NavigableMap<String, IdentityEntry> identities() {
        return java.util.Collections.unmodifiableNavigableMap(identities);
    }

    public NavigableMap<String, ChannelEntry> channels() {
        return java.util.Collections.unmodifiableNavigableMap(channels);
    }

    public NavigableSet<SubscriptionKey> subscriptions() {
        return java.util.Collections.unmodifiableNavigableSet(subscriptions);
    }

    public CommandResult apply(ControlCommand command) {
        return switch (command) {
            case AddIdentity c -> addIdentity(c);
            case RevokeIdentity c -> revokeIdentity(c.name());
            case CreateChannel c -> createChannel(c);
            case AlterChannel c -> alterChannel(c.spec());
            case DeleteChannel c -> deleteChannel(c.tag());
            case Grant c -> changeRight(c.tag(), c.right(), c.identity(), true);
            case RevokeRight c -> changeRight(c.tag(), c.right(), c.identity(), false);
            case RegisterSubscription c -> registerSubscription(new SubscriptionKey(c.tag(), c.identity(), c.name()));
            case DropSubscription c -> dropSubscription(new SubscriptionKey(c.tag(), c.identity(), c.name()));
        };
    }

    private CommandResult addIdentity(AddIdentity c) {
        if (identities.containsKey(c.name())) {
            return CommandResult.refused("identity " + c.name() + " already exists");
        }
        identities.put(c.name(), new IdentityEntry(c.name(), c.secret().clone(),
                c.publicKey() == null ? null : c.publicKey().clone(), c.admin()));
        return CommandResult.applied("identity " + c.name() + " added" + (c.admin() ? " (admin)" : ""));
    }

    /** Removes the identity, its rights on every channel and its subscriptions. */
    private CommandResult revokeIdentity(String name) {
        if (identities.remove(name) == null) {
            return CommandResult.refused("no identity " + name);
        }
        for (var e : channels.entrySet()) {
            ChannelSpec s = e.getValue().spec();
            e.setValue(new ChannelEntry(new ChannelSpec(s.tag(), s.channelClass(), without(s.publishers(), name),
                    without(s.subscribers(), name)), e.getValue().key()));
        }
        subscriptions.removeIf(k -> k.identity().equals(name));
        return CommandResult.applied("identity " + name + " revoked");
    }

    private CommandResult createChannel(CreateChannel c) {
        String tag = c.spec().tag();
        if (channels.containsKey(tag)) {
            return CommandResult.refused("channel " + tag + " already exists");
        }
        channels.put(tag, new ChannelEntry(c.spec(), c.key().clone()));
        return CommandResult.applied("channel " + tag + " created");
    }

    private CommandResult alterChannel(ChannelSpec spec) {
        ChannelEntry old = channels.get(spec.tag());
        if (old == null) {
            return CommandResult.refused("no channel " + spec.tag());
        }
        ChannelClass was = old.spec().channelClass();
        if (was.persistence() != spec.channelClass().persistence() || was.durability() != spec.channelClass().durability()) {
            return CommandResult.refused("channel " + spec.tag() + ": persistence and durability cannot be altered"
                    + " (it would lose or invent a log, or make the replicas' logs differ)");
        }
        channels.put(spec.tag(), new ChannelEntry(spec, old.key()));
        return CommandResult.applied("channel " + spec.tag() + " altered");
    }

    private CommandResult deleteChannel(String tag) {
        if (channels.remove(tag) == null) {
            return CommandResult.refused("no channel " + tag);
        }
        subscriptions.removeIf(k -> k.tag().equals(tag));
        return CommandResult.applied("channel " + tag + " deleted");
    }

    private CommandResult changeRight(String tag, Right right, String identity, boolean grant) {
        ChannelEntry ch = channels.get(tag);
        if (ch == null) {
            return CommandResult.refused("no channel " + tag);
        }
        if (grant && !identity.equals(ChannelSpec.ANYONE) && !identities.containsKey(identity)) {
            return CommandResult.refused("no identity " + identity);
        }
        ChannelSpec s = ch.spec();
        Set<String> pub = s.publishers();
        Set<String> sub = s.subscribers();
        if (right == Right.PUBLISH) {
            pub = grant ? with(pub, identity) : without(pub, identity);
        } else {
            sub = grant ? with(sub, identity) : without(sub, identity);
        }
        channels.put(tag, new ChannelEntry(new ChannelSpec(tag, s.channelClass(), pub, sub), ch.key()));
        String what = right.name().toLowerCase(java.util.Locale.ROOT);
        return CommandResult.applied(grant ? identity + " may " + what + " on " + tag
                : identity + " may no longer " + what + " on " + tag);
    }

    private CommandResult registerSubscription(SubscriptionKey k) {
        ChannelEntry ch = channels.get(k.tag());
        if (ch == null) {
            return CommandResult.refused("no channel " + k.tag());
        }
        IdentityEntry id = identities.get(k.identity());
        if (id == null) {
            return CommandResult.refused("no identity " + k.identity());
        }
        if (!id.admin() && !ch.spec().maySubscribe(k.identity())) {
            return CommandResult.refused(k.identity() + " may not subscribe to channel " + k.tag());
        }
        if (!subscriptions.add(k)) {
            return CommandResult.refused("subscription " + k.name() + " of " + k.identity() + " to " + k.tag()
                    + " already exists");
        }
        return CommandResult.applied("subscription " + k.name() + " of " + k.identity() + " to " + k.tag() + " registered");
    }

    private CommandResult dropSubscription(SubscriptionKey k) {
        if (!subscriptions.remove(k)) {
            return CommandResult.refused("no subscription " + k.name() + " of " + k.identity() + " to " + k.tag());
        }
        return CommandResult.applied("subscription " + k.name() + " of " + k.identity() + " to " + k.tag() + " dropped");
    }

    private static Set<String> with(Set<String> set, String member) {
        Set<String> copy = new HashSet<>(set);
        copy.add(member);
        return copy;
    }

    private static Set<String> without(Set<String> set, String member) {
        Set<String> copy = new HashSet<>(set);
        copy.remove(member);
        return copy;
    }

    /**
     * The canonical bytes of the whole state (the snapshot's content):
     * version, identities by name, channels by tag, subscriptions in order, each list counted.
     */
    public byte[] encode() {
        CanonicalWriter w = new CanonicalWriter().u8(VERSION).i32(identities.size());
        for (IdentityEntry id : identities.values()) {
            w.string(id.name()).bytes(id.secret()).bytes(id.publicKey()).bool(id.admin());
        }
        w.i32(channels.size());
        for (ChannelEntry ch : channels.values()) {
            CommandCodec.writeSpec(w, ch.spec()).bytes(ch.key());
        }
        w.i32(subscriptions.size());
        for (SubscriptionKey k : subscriptions) {
            w.string(k.tag()).string(k.identity()).string(k.name());
        }
        return w.toByteArray();
    }

    /** The state {@link #encode} wrote; anything else is refused. */
    public static ControlState decode(byte[] bytes) throws MalformedCommandException {
        CanonicalReader r = new CanonicalReader(bytes, "control state");
        int version = r.u8();
        if (version != VERSION) {
            throw r.malformed("version " + version + ", this replica reads version " + VERSION);
        }
        ControlState s = new ControlState();
        try {
            for (int i = count(r); i > 0; i--) {
                AddIdentity id = new AddIdentity(r.string(), r.bytes(), r.bytes(), r.bool());
                inOrder(r, s.identities.isEmpty() ? null : s.identities.lastKey(), id.name());
                s.addIdentity(id);
            }
            for (int i = count(r); i > 0; i--) {
                CreateChannel ch = new CreateChannel(CommandCodec.readSpec(r), r.bytes());
                inOrder(r, s.channels.isEmpty() ? null : s.channels.lastKey(), ch.spec().tag());
                s.createChannel(ch);
            }
            for (int i = count(r); i > 0; i--) {
                SubscriptionKey k = new SubscriptionKey(r.string(), r.string(), r.string());
                if (!s.subscriptions.isEmpty() && s.subscriptions.last().compareTo(k) >= 0) {
                    throw r.malformed("subscriptions out of order at " + k);
                }
                s.subscriptions.add(k);
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw r.malformed(e.getMessage());
        }
        r.end();
        return s;
    }

    private static int count(CanonicalReader r) throws MalformedCommandException {
        int n = r.i32();
        if (n < 0) {
            throw r.malformed("negative count " + n);
        }
        return n;
    }

    private static void inOrder(CanonicalReader r, String previous, String next) throws MalformedCommandException {
        if (previous != null && previous.compareTo(next) >= 0) {
            throw r.malformed("\"" + next + "\" after \"" + previous + "\": not in ascending order");
        }
    }

    /** SHA-256 of {@link #encode}, in hex: equal on replicas that hold the same control plane. */
    public String digest() {
        return digest(encode());
    }

    public static String digest(byte[] encoded) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
