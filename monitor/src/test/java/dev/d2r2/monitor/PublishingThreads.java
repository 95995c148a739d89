package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Event;

import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/** A broker client that notes every thread its publishers are used on, to check Publisher's one-thread contract. */
final class PublishingThreads implements BrokerClient {
    private final BrokerClient client;
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    PublishingThreads(BrokerClient client) {
        this.client = client;
    }

    @Override
    public Publisher publisher(String tag) {
        Publisher p = client.publisher(tag);
        return new Publisher() {
            @Override
            public String channel() {
                return p.channel();
            }

            @Override
            public long publish(Event event) {
                threads.add(Thread.currentThread().getName());
                return p.publish(event);
            }

            @Override
            public long publish(byte[] payload) {
                threads.add(Thread.currentThread().getName());
                return p.publish(payload);
            }

            @Override
            public long acknowledged() {
                return p.acknowledged();
            }

            @Override
            public void awaitAcknowledged(long seq, Duration timeout) throws TimeoutException {
                p.awaitAcknowledged(seq, timeout);
            }

            @Override
            public void close() {
                p.close();
            }
        };
    }

    @Override
    public String identity() {
        return client.identity();
    }

    @Override
    public byte[] register(String name, PublicKey signingKey, boolean admin) {
        return client.register(name, signingKey, admin);
    }

    @Override
    public void createChannel(ChannelSpec spec) {
        client.createChannel(spec);
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        client.alterChannel(spec);
    }

    @Override
    public void deleteChannel(String tag) {
        client.deleteChannel(tag);
    }

    @Override
    public void revokeIdentity(String name) {
        client.revokeIdentity(name);
    }

    @Override
    public String submitSigned(byte[] signedCommand) {
        return client.submitSigned(signedCommand);
    }

    @Override
    public List<ChannelSpec> channels() {
        return client.channels();
    }

    @Override
    public ChannelSpec channel(String tag) {
        return client.channel(tag);
    }

    @Override
    public LogSpan logSpan(String tag) {
        return client.logSpan(tag);
    }

    @Override
    public Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler) {
        return client.subscribe(tag, start, handler);
    }

    @Override
    public void close() {
        client.close();
    }
}
