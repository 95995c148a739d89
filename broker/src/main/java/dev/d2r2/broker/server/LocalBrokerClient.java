package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process transport: calls the broker directly, with no serialisation on unsealed
 * channels. Publishing is synchronous, so an event is acknowledged when {@code publish} returns.
 * Deliveries run on the client's own delivery thread, most urgent channel first.
 */
final class LocalBrokerClient implements BrokerClient, DeliverySink {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBrokerClient.class);
    private final Broker broker;
    private final IdentityFile credentials;
    private final Identity identity;
    private final DeliveryPump pump;
    private final AtomicInteger subscriptionIds = new AtomicInteger();
    private final Map<Integer, LocalSubscription> subscriptions = new ConcurrentHashMap<>();

    LocalBrokerClient(Broker broker, IdentityFile credentials) {
        this.broker = broker;
        this.credentials = credentials;
        this.identity = broker.identity(credentials.name());
        this.pump = new DeliveryPump(this, broker.metrics());
        pump.name("d2r2-local-delivery-" + identity.name());
    }

    @Override
    public String identity() {
        return identity.name();
    }

    @Override
    public byte[] register(String name, PublicKey signingKey, boolean admin) {
        return broker.register(identity, name, signingKey, admin);
    }

    @Override
    public void createChannel(ChannelSpec spec) {
        broker.createChannel(identity, spec);
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        broker.alterChannel(identity, spec);
    }

    @Override
    public void deleteChannel(String tag) {
        broker.deleteChannel(identity, tag);
    }

    @Override
    public void revokeIdentity(String name) {
        broker.revokeIdentity(identity, name);
    }

    @Override
    public String submitSigned(byte[] signedCommand) {
        return broker.submitSigned(identity, signedCommand);
    }

    @Override
    public List<ChannelSpec> channels() {
        return broker.channels(identity);
    }

    @Override
    public ChannelSpec channel(String tag) {
        return broker.channel(identity, tag);
    }

    @Override
    public LogSpan logSpan(String tag) {
        return broker.logSpan(identity, tag);
    }

    @Override
    public Publisher publisher(String tag) {
        return new LocalPublisher(broker.openPublisher(identity, tag));
    }

    @Override
    public Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler) {
        int id = subscriptionIds.incrementAndGet();
        LocalSubscription ls = new LocalSubscription(tag, handler);
        subscriptions.put(id, ls);
        try {
            ServerSubscription sub = broker.subscribe(identity, tag, start, pump, id);
            ls.server = sub;
            ls.opener = new PayloadOpener(tag, sub.channel.key());
            pump.add(sub);
            return ls;
        } catch (RuntimeException e) {
            subscriptions.remove(id);
            throw e;
        }
    }

    @Override
    public void deliver(ServerSubscription sub, long offset, long time, Envelope e) {
        LocalSubscription ls = subscriptions.get(sub.id);
        if (ls == null) {
            return;
        }
        byte[] payload = e.event() == null ? ls.opener.open(e) : null;
        if (e.event() == null && payload == null) {
            LOG.warn("channel {}: event {} of {} does not decrypt under the channel key", ls.tag, offset, e.publisher());
            return;
        }
        try {
            ls.handler.onEvent(new Delivery(ls.tag, offset, e.publisher(), e.sequence(), time, payload, e.event()));
        } catch (RuntimeException ex) {
            LOG.warn("channel {}: subscriber handler failed on event {}: {}", ls.tag, offset, ex.toString());
        }
    }

    @Override
    public void missing(ServerSubscription sub, MissingNotice notice) {
        LocalSubscription ls = subscriptions.get(sub.id);
        if (ls != null) {
            ls.handler.onMissing(notice);
        }
    }

    @Override
    public long idle() {
        return 0;
    }

    @Override
    public void ended(ServerSubscription sub, BrokerException cause) {
        LocalSubscription ls = subscriptions.remove(sub.id);
        if (ls != null) {
            ls.handler.onClosed(cause);
        }
    }

    @Override
    public void close() {
        for (LocalSubscription s : List.copyOf(subscriptions.values())) {
            s.close();
        }
        pump.stop();
    }

    private final class LocalSubscription implements Subscription {
        final String tag;
        final DeliveryHandler handler;
        volatile ServerSubscription server;
        volatile PayloadOpener opener;

        LocalSubscription(String tag, DeliveryHandler handler) {
            this.tag = tag;
            this.handler = handler;
        }

        @Override
        public String channel() {
            return tag;
        }

        @Override
        public void close() {
            ServerSubscription s = server;
            if (s != null && subscriptions.remove(s.id) != null) {
                broker.unsubscribe(s);
            }
        }
    }

    private final class LocalPublisher implements Publisher {
        private final ChannelRuntime channel;
        private final SealVerifier verifier = new SealVerifier(identity);
        private ChannelSealer sealer;
        private volatile long seq;

        LocalPublisher(ChannelRuntime channel) {
            this.channel = channel;
        }

        @Override
        public String channel() {
            return channel.tag();
        }

        @Override
        public long publish(Event event) {
            if (channel.spec().channelClass().protection() == Protection.SI) {
                return send(Envelope.ofEvent(identity.name(), seq + 1, broker.clock().millis(), event));
            }
            return publish(EventCodec.encode(event));
        }

        @Override
        public long publish(byte[] payload) {
            Protection p = channel.spec().channelClass().protection();
            if (sealer == null || sealer.protection() != p) {
                sealer = new ChannelSealer(channel.tag(), p, identity.name(), credentials.secret(),
                        credentials.signingKey(), channel.key());
            }
            return send(sealer.seal(seq + 1, broker.clock().millis(), payload));
        }

        private long send(Envelope e) {
            try {
                broker.publish(identity, verifier, channel, e);
                channel.commit();
            } catch (IOException ex) {
                throw new BrokerException(ErrorCode.INTERNAL, "channel " + channel.tag() + ": log write failed: "
                        + ex.getMessage(), ex);
            }
            return ++seq;
        }

        @Override
        public long acknowledged() {
            return seq;
        }

        @Override
        public void awaitAcknowledged(long s, Duration timeout) {
            if (s > seq) {
                throw new IllegalArgumentException("sequence " + s + " was never published (last " + seq + ")");
            }
        }

        @Override
        public void close() {
        }
    }
}
