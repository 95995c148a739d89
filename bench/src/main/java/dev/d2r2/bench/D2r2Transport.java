package dev.d2r2.bench;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.FaultModel;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/** d2r2 over any {@link BrokerClient}: one channel, queue policy {@code block} so nothing is dropped. */
final class D2r2Transport implements Transport {
    private static int channels;
    private final String name;
    private final BrokerClient publisherClient;
    private final BrokerClient subscriberClient;
    private final String tag;
    private final Publisher publisher;
    private Subscription subscription;
    private long last;

    D2r2Transport(String name, BrokerClient publisherClient, BrokerClient subscriberClient, Protection protection,
                  Persistence persistence, FsyncPolicy fsync) {
        this.name = name;
        this.publisherClient = publisherClient;
        this.subscriberClient = subscriberClient;
        this.tag = "bench-" + (++channels);
        publisherClient.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT
                .withPersistence(persistence, fsync)
                .withQueue(65536, OverflowPolicy.BLOCK)
                .withProtection(FaultModel.CRASH, protection), Set.of("*"), Set.of("*")));
        this.publisher = publisherClient.publisher(tag);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void subscribe(Consumer<byte[]> onPayload) {
        subscription = subscriberClient.subscribe(tag, StartPosition.live(), d -> onPayload.accept(d.payload()));
    }

    @Override
    public void publish(byte[] payload) {
        last = publisher.publish(payload);
    }

    @Override
    public void awaitAcknowledged() throws Exception {
        publisher.awaitAcknowledged(last, Duration.ofMinutes(2));
    }

    @Override
    public void close() {
        publisher.close();
        if (subscription != null) {
            subscription.close();
        }
    }
}
