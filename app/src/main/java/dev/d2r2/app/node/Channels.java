package dev.d2r2.app.node;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Channels an embedded broker declares: those configured, and the ones the roles need with a class
 * fit for them and access lists naming the roles that use them.
 */
public final class Channels {
    /** Alarms: one order for all, urgent, never dropped. */
    public static final ChannelClass ALARMS = ChannelClass.DEFAULT.withOrdering(Ordering.TOTAL).withPriority(9)
            .withQueue(ChannelClass.DEFAULT_QUEUE_CAPACITY, OverflowPolicy.BLOCK);
    /** Alarms on a node that records the loop ({@code broker.record}): also in a log, forced every 100 ms. */
    public static final ChannelClass RECORDED_ALARMS = ALARMS.withPersistence(Persistence.LOG, FsyncPolicy.every(Duration.ofMillis(100)));
    /** Samples and telemetry on a node that records the loop: in a log, forced once a second. */
    public static final ChannelClass RECORDED_TELEMETRY = ChannelClass.DEFAULT.withPersistence(Persistence.LOG,
            FsyncPolicy.every(Duration.ofSeconds(1)));
    /** Alerts: urgent, on disk before anyone acts on them. */
    public static final ChannelClass ALERTS = ChannelClass.DEFAULT.withPriority(9).withPersistence(Persistence.LOG, FsyncPolicy.ALWAYS);
    /** A record to replay: decisions, dialogs. */
    public static final ChannelClass RECORD = ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.every(Duration.ofMillis(100)));

    private Channels() {
    }

    /** Creates the configured channels, or alters them to their configured class. */
    public static void declare(BrokerClient admin, List<ChannelConfig> channels) {
        for (ChannelConfig ch : channels) {
            try {
                admin.createChannel(ch.toSpec());
            } catch (BrokerException e) {
                if (e.code() != ErrorCode.CHANNEL_EXISTS) {
                    throw e;
                }
                admin.alterChannel(ch.toSpec());
            }
        }
    }

    /** Creates {@code tag} with empty access lists unless it exists: {@link #grant} fills them. */
    public static void ensure(BrokerClient admin, String tag, ChannelClass cls) {
        try {
            admin.createChannel(new ChannelSpec(tag, cls, Set.of(), Set.of()));
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.CHANNEL_EXISTS) {
                throw e;
            }
        }
    }

    /**
     * Adds each role's identity to the access lists of the channels it publishes and subscribes
     * to; a list that names every identity ({@code *}) and what it already names stay.
     */
    public static void grant(BrokerClient admin, List<RoleAccess> roles) {
        Map<String, Set<String>> publishers = new TreeMap<>();
        Map<String, Set<String>> subscribers = new TreeMap<>();
        for (RoleAccess r : roles) {
            r.publishes().forEach(tag -> publishers.computeIfAbsent(tag, t -> new TreeSet<>()).add(r.identity()));
            r.subscribes().forEach(tag -> subscribers.computeIfAbsent(tag, t -> new TreeSet<>()).add(r.identity()));
        }
        Set<String> tags = new TreeSet<>(publishers.keySet());
        tags.addAll(subscribers.keySet());
        for (String tag : tags) {
            ChannelSpec spec = admin.channel(tag);
            Set<String> pub = with(spec.publishers(), publishers.getOrDefault(tag, Set.of()));
            Set<String> sub = with(spec.subscribers(), subscribers.getOrDefault(tag, Set.of()));
            if (!pub.equals(spec.publishers()) || !sub.equals(spec.subscribers())) {
                admin.alterChannel(new ChannelSpec(tag, spec.channelClass(), pub, sub));
            }
        }
    }

    private static Set<String> with(Set<String> list, Set<String> identities) {
        if (list.contains(ChannelSpec.ANYONE)) {
            return list;
        }
        Set<String> out = new TreeSet<>(list);
        out.addAll(identities);
        return Set.copyOf(out);
    }
}
