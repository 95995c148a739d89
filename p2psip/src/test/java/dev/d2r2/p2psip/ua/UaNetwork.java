package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.TunnelEnd;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A loopback {@link PeerNetwork} with its storage overlay joined, and user agents started over it, for tests. */
final class UaNetwork implements AutoCloseable {
    private final PeerNetwork peers;
    private final List<AutoCloseable> opened = new ArrayList<>();

    UaNetwork(int size) throws Exception {
        peers = PeerNetwork.start(size, InetAddress.getLoopbackAddress(), Clock.system());
        peers.awaitJoined(6, Duration.ofSeconds(30));
    }

    PeerNetwork peers() {
        return peers;
    }

    UserAgent agent(String name, UserAgent.Settings settings) throws Exception {
        Relay relay = Relay.start(name, InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE);
        opened.add(relay);
        Random random = new Random();
        UserAgent ua = UserAgent.start(Identity.generate(), relay, settings, Clock.system(), peers::hops,
                new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random));
        opened.add(ua);
        return ua;
    }

    static UserAgent.Settings settings() {
        return new UserAgent.Settings(2, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(3));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        peers.close();
    }
}
