package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.contact.ContactData;
import dev.d2r2.p2psip.tunnel.Cell;
import dev.d2r2.p2psip.tunnel.CountingProxy;
import dev.d2r2.p2psip.tunnel.EntryGuards;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.HopView;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.TunnelEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 item 6 over whole calls: 12 loopback peers, each behind a byte-counting TCP relay that
 * stands for an observer of its links, and two user agents whose pool names the relays' proxies, so
 * every link of every tunnel passes one. A call (INVITE, 180, 200, ACK, BYE, 200: messages of
 * different sizes) goes through; then what each hop holds and what each link carried is checked.
 */
class WhatEachHopSeesTest {
    /** TLS 1.3 adds this much to each 1,024-byte cell (JDK 25, AES-GCM): one record per cell. */
    private static final int TLS_RECORD = Cell.BYTES + 38;
    private static UaNetwork network;
    private static final List<CountingProxy> PROXIES = new ArrayList<>();
    private static final List<AutoCloseable> OPENED = new ArrayList<>();
    private static Relay aliceRelay;
    private static Relay bobRelay;
    private static UserAgent alice;
    private static UserAgent bob;

    @BeforeAll
    static void start() throws Exception {
        network = new UaNetwork(12);
        List<Hop> pool = new ArrayList<>();
        for (Hop hop : network.peers().hops()) {
            CountingProxy proxy = new CountingProxy(hop.address());
            PROXIES.add(proxy);
            pool.add(new Hop(hop.publicKey(), proxy.address()));
        }
        aliceRelay = Relay.start("alice", InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE);
        OPENED.add(aliceRelay);
        bobRelay = Relay.start("bob", InetAddress.getLoopbackAddress(), Clock.system(), TunnelEnd.IGNORE);
        OPENED.add(bobRelay);
        alice = agent(aliceRelay, pool);
        bob = agent(bobRelay, pool);
    }

    private static UserAgent agent(Relay relay, List<Hop> pool) throws Exception {
        Random random = new Random();
        UserAgent ua = UserAgent.start(Identity.generate(), relay, UaNetwork.settings(), Clock.system(), () -> pool,
                new PathSelector(relay.self(), new EntryGuards(EntryGuards.DEFAULT_COUNT, random), random));
        OPENED.add(ua);
        return ua;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : OPENED.reversed()) {
            c.close();
        }
        for (CountingProxy p : PROXIES) {
            p.close();
        }
        network.close();
    }

    private static void call(String id) throws Exception {
        BlockingQueue<String> atBob = new LinkedBlockingQueue<>();
        BlockingQueue<String> atAlice = new LinkedBlockingQueue<>();
        bob.onMessage((from, m) -> atBob.add(new String(m, StandardCharsets.UTF_8)));
        alice.onMessage((from, m) -> atAlice.add(new String(m, StandardCharsets.UTF_8)));
        String[][] exchange = {{"INVITE", "a", "500"}, {"SIP/2.0 180", "b", "250"}, {"SIP/2.0 200", "b", "480"},
                {"ACK", "a", "300"}, {"BYE", "a", "320"}, {"SIP/2.0 200", "b", "220"}};
        for (String[] step : exchange) {
            String message = step[0] + " " + id + " " + "x".repeat(Integer.parseInt(step[2]));
            boolean fromAlice = step[1].equals("a");
            (fromAlice ? alice : bob).send((fromAlice ? bob : alice).identityKey(), message.getBytes(StandardCharsets.UTF_8))
                    .get(20, TimeUnit.SECONDS);
            assertThat((fromAlice ? atBob : atAlice).poll(20, TimeUnit.SECONDS)).isEqualTo(message);
        }
    }

    @Test
    void everyLinkAtEveryPositionCarriesOnlyWholeCellsOfOneSize() throws Exception {
        call("warm-up"); // opens every link the call needs (exit to entry point both ways), TLS handshakes included
        long[] towardsBefore = PROXIES.stream().mapToLong(p -> p.towardsTarget.get()).toArray();
        long[] backBefore = PROXIES.stream().mapToLong(p -> p.fromTarget.get()).toArray();
        long[] connectionsBefore = PROXIES.stream().mapToLong(p -> p.connections.get()).toArray();

        call("measured");

        List<Integer> steady = IntStream.range(0, PROXIES.size())
                .filter(i -> PROXIES.get(i).connections.get() == connectionsBefore[i]).boxed().toList();
        long carried = 0;
        for (int i : steady) {
            long towards = PROXIES.get(i).towardsTarget.get() - towardsBefore[i];
            long back = PROXIES.get(i).fromTarget.get() - backBefore[i];
            assertThat(towards % TLS_RECORD).as("bytes towards peer %d: %d", i, towards).isZero();
            assertThat(back % TLS_RECORD).as("bytes from peer %d: %d", i, back).isZero();
            carried += towards + back;
        }
        // the call's six messages crossed at least the caller's two outbound hops and the callee's three inbound hops each
        assertThat(carried).isGreaterThanOrEqualTo(6L * 5 * TLS_RECORD);
    }

    @Test
    void aForwardingPeerLearnsOnlyItsPredecessorAndSuccessor() throws Exception {
        call("views");
        Map<String, Relay> relayByKey = network.peers().peers().stream()
                .collect(Collectors.toMap(p -> key(p.relay().self()), PeerNetwork.Peer::relay));
        for (UserAgent ua : List.of(alice, bob)) {
            Relay own = ua == alice ? aliceRelay : bobRelay;
            List<Tunnel> tunnels = Stream.concat(Stream.concat(ua.inboundTunnels().stream(), ua.lookupTunnels().stream()),
                    Stream.of(ua.publishingTunnel())).toList();
            for (Tunnel t : tunnels) {
                List<Hop> path = t.path();
                for (int i = 0; i < path.size(); i++) {
                    Hop predecessor = i == 0 ? own.self() : path.get(i - 1);
                    Hop successor = i == path.size() - 1 ? null : path.get(i + 1);
                    List<HopView> views = relayByKey.get(key(path.get(i))).views();
                    assertThat(views).as("hop %d of a tunnel of %d", i + 1, path.size()).anySatisfy(v -> {
                        assertThat(key(v.predecessor())).isEqualTo(key(predecessor));
                        assertThat(v.successor() == null ? null : key(v.successor())).isEqualTo(successor == null ? null : key(successor));
                        assertThat(v.last()).isEqualTo(successor == null);
                    });
                }
            }
            // the user's own address reaches the first hops of its tunnels and no other peer
            List<String> firstHops = tunnels.stream().map(t -> key(t.path().getFirst())).distinct().sorted().toList();
            List<String> seeTheUser = relayByKey.entrySet().stream()
                    .filter(e -> e.getValue().views().stream().anyMatch(v -> sees(v, own.self())))
                    .map(Map.Entry::getKey).sorted().toList();
            assertThat(seeTheUser).isEqualTo(firstHops);
            // what a storage peer holds under h(user) names neither the user's address nor a peer that has it
            ContactData stored = ContactData.open(network.peers().peers().getFirst().storage().get(ContactData.keyOf(ua.identityKey()))
                    .get(10, TimeUnit.SECONDS).value(), ua.identityKey(), System.currentTimeMillis());
            assertThat(stored.entries()).isNotEmpty().allSatisfy(e -> {
                assertThat(names(e.hop(), own.self())).isFalse();
                assertThat(firstHops).doesNotContain(key(e.hop()));
            });
        }
    }

    private static boolean sees(HopView v, Hop user) {
        return names(v.predecessor(), user) || names(v.successor(), user);
    }

    private static boolean names(Hop hop, Hop user) {
        return hop != null && (Arrays.equals(hop.publicKey(), user.publicKey()) || hop.address().equals(user.address()));
    }

    private static String key(Hop hop) {
        return HexFormat.of().formatHex(hop.publicKey());
    }
}
