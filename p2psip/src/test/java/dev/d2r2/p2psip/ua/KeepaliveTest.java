package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.CountingProxy;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hop that stays connected but drops every cell closes no link, so nothing tears its tunnels down: the owner's
 * keepalive through the tunnel gets no answer, the agent gives the tunnel up, rebuilds it away from that hop and
 * publishes its new entry point.
 */
class KeepaliveTest {
    @Test
    void aHopThatDropsCellsSilentlyIsFoundByTheKeepaliveAndAvoided() throws Exception {
        List<CountingProxy> proxies = new ArrayList<>();
        try (UaNetwork network = new UaNetwork(12);
             Relay relay = Relay.start("alice", InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE)) {
            List<Hop> pool = new ArrayList<>();
            for (Hop hop : network.peers().hops()) {
                CountingProxy proxy = new CountingProxy(hop.address());
                proxies.add(proxy);
                pool.add(new Hop(hop.publicKey(), proxy.address()));
            }
            Map<Hop, CountingProxy> proxyOf = proxies.stream().collect(Collectors.toMap(
                    p -> pool.get(proxies.indexOf(p)), Function.identity()));
            Random random = new Random();
            try (UserAgent alice = UserAgent.start(Identity.generate(), relay, UaNetwork.settings(), Clock.system(), () -> pool,
                    new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random))) {
                Tunnel inbound = alice.inboundTunnels().getFirst();
                Hop middle = inbound.path().get(1);
                long published = alice.contacts().published();

                proxyOf.get(middle).drop();

                await().atMost(90, TimeUnit.SECONDS).until(() -> inbound.closed().isDone());
                await().atMost(60, TimeUnit.SECONDS).until(() -> alice.contacts().published() > published
                        && alice.inboundTunnels().stream().noneMatch(t -> t.closed().isDone() || t.path().contains(middle)));
                assertThat(alice.keepalivesMissed()).isPositive();
                assertThat(alice.rebuilt()).isPositive();
            }
        } finally {
            for (CountingProxy p : proxies) {
                p.close();
            }
        }
    }
}
