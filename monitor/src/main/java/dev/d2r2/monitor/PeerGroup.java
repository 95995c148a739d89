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

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live members of a group of monitoring peers: each publishes a heartbeat on the group's
 * channel every interval, and a peer not heard from for {@link PeersConfig#timeout()} is gone.
 */
final class PeerGroup implements AutoCloseable {
    private final String self;
    private final PeersConfig config;
    private final Clock clock;
    private final Publisher out;
    private final Subscription in;
    private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();

    PeerGroup(String self, PeersConfig config, BrokerClient client, Clock clock) {
        this.self = self;
        this.config = config;
        this.clock = clock;
        this.out = client.publisher(config.channel());
        this.in = client.subscribe(config.channel(), StartPosition.live(), this::heard);
    }

    private void heard(Delivery d) {
        try {
            Event e = d.event();
            if (MonitorEvents.HEARTBEAT.matches(e.type())) {
                lastHeard.put(Heartbeat.from(e).peer(), clock.nanos());
            }
        } catch (EventFormatException e) {
            // Not a heartbeat: the channel is the group's, but a stray publisher is not fatal.
        }
    }

    void beat() {
        synchronized (out) {
            out.publish(new Heartbeat(clock.millis(), self).toEvent());
        }
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
