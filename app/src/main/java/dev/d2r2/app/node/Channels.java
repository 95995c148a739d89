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
import java.util.Set;

/** Channels an embedded broker declares: those configured, and the ones the roles need with a class fit for them. */
public final class Channels {
    /** Alarms: one order for all, urgent, never dropped. */
    public static final ChannelClass ALARMS = ChannelClass.DEFAULT.withOrdering(Ordering.TOTAL).withPriority(9)
            .withQueue(ChannelClass.DEFAULT_QUEUE_CAPACITY, OverflowPolicy.BLOCK);
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

    /** Creates {@code tag}, open to every identity, unless it exists. */
    public static void ensure(BrokerClient admin, String tag, ChannelClass cls) {
        try {
            admin.createChannel(new ChannelSpec(tag, cls, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
        } catch (BrokerException e) {
            if (e.code() != ErrorCode.CHANNEL_EXISTS) {
                throw e;
            }
        }
    }
}
