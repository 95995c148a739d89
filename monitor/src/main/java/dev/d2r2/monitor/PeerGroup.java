package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.monitor.events.Heartbeat;
import dev.d2r2.monitor.events.MonitorEvents;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The live members of a group of monitoring peers: each publishes a heartbeat on the group's
 * channel every interval, and a peer not heard from for {@link PeersConfig#timeout()} is gone.
 * Owned by the monitor's agent: heartbeats heard on a delivery thread are handed to it as
 * {@link Heard} messages, and it calls {@link #beat}, {@link #heard} and {@link #live}.
 */
final class PeerGroup implements AutoCloseable {
    /** A heartbeat heard, and when (the clock's nanos). */
    record Heard(String peer, long atNanos) {
    }

    private final String self;
    private final PeersConfig config;
    private final Clock clock;
    private final Publisher out;
    private final Subscription in;
    private final Map<String, Long> lastHeard = new HashMap<>();

    PeerGroup(String self, PeersConfig config, BrokerClient client, Clock clock, Consumer<Heard> agent) {
        this.self = self;
        this.config = config;
        this.clock = clock;
        this.out = client.publisher(config.channel());
        this.in = client.subscribe(config.channel(), StartPosition.live(), d -> hear(d, agent));
    }

    private void hear(Delivery d, Consumer<Heard> agent) {
        try {
            Event e = d.event();
            if (MonitorEvents.HEARTBEAT.matches(e.type())) {
                agent.accept(new Heard(Heartbeat.from(e).peer(), clock.nanos()));
            }
        } catch (EventFormatException e) {
            // Not a heartbeat: the channel is the group's, but a stray publisher is not fatal.
        }
    }

    void heard(Heard h) {
        lastHeard.put(h.peer(), h.atNanos());
    }

    void beat() {
        out.publish(new Heartbeat(clock.millis(), self).toEvent());
    }

    /** This peer and every peer heard from within the timeout, sorted. */
    Set<String> live() {
        long cutoff = clock.nanos() - config.timeout().toNanos();
        Set<String> live = new TreeSet<>();
        live.add(self);
        lastHeard.forEach((peer, at) -> {
            if (at >= cutoff) {
                live.add(peer);
            }
        });
        return live;
    }

    @Override
    public void close() {
        in.close();
        out.close();
    }
}
