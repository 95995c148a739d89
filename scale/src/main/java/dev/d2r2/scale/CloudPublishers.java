package dev.d2r2.scale;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Event;
import dev.d2r2.scale.events.ScaleEvents;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the scaler's events go: an instance's ({@code scale.instance}, {@code scale.phase}) on its
 * cloud's channel, published with the cloud's own identity ({@link CloudIdentities}) when it has
 * one; every other event, and those of a cloud without one, through {@code others}. Used on one
 * thread (the scaler's), as publishers are; made at first use.
 */
public final class CloudPublishers implements Consumer<Event>, AutoCloseable {
    private final Map<String, BrokerClient> clouds;
    private final String channel;
    private final Consumer<Event> others;
    private final Map<String, Publisher> publishers = new HashMap<>();

    /** @param clouds a client connected with each cloud's identity, by cloud */
    public CloudPublishers(Map<String, BrokerClient> clouds, String channel, Consumer<Event> others) {
        this.clouds = Map.copyOf(clouds);
        this.channel = channel;
        this.others = others;
    }

    @Override
    public void accept(Event e) {
        String cloud = ScaleEvents.cloudOf(e);
        BrokerClient client = cloud == null ? null : clouds.get(cloud);
        if (client == null) {
            others.accept(e);
            return;
        }
        publishers.computeIfAbsent(cloud, c -> client.publisher(CloudIdentities.channel(channel, c))).publish(e);
    }

    @Override
    public void close() {
        publishers.values().forEach(Publisher::close);
    }
}
