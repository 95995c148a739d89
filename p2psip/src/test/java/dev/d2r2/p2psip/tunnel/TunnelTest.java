package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Tunnels between relays on real loopback sockets. */
class TunnelTest {
    /**
     * What JDK 25's TLS 1.3 adds to one cell, as measured here: 38 bytes, where the protocol's
     * minimum is 22 (5 bytes of record header, 1 of inner content type, a 16-byte AES-GCM tag).
     */
    private static final int TLS13_RECORD_OVERHEAD = 38;
    private static final TunnelEnd ECHO = (data, reply) -> reply.accept(concat("echo:", data));
    private final List<AutoCloseable> opened = new ArrayList<>();

    private Relay relay(String name, TunnelEnd end) throws Exception {
        return relay(name, end, LinkSecurity.TLS);
    }

    private Relay relay(String name, TunnelEnd end, LinkSecurity security) throws Exception {
        Relay r = Relay.start(name, InetAddress.getLoopbackAddress(), Clock.system(), end, security,
                Relay.DEFAULT_SETUP_WINDOW, Relay.DEFAULT_SETUP_TIMEOUT);
        opened.add(r);
        return r;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    static byte[] concat(String prefix, byte[] data) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[p.length + data.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(data, 0, out, p.length, data.length);
        return out;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(LinkSecurity.class)
    void aThreeHopTunnelCarriesDataBothWaysInOrder(LinkSecurity security) throws Exception {
        Relay a = relay("a", TunnelEnd.IGNORE, security);
        Relay f1 = relay("f1", TunnelEnd.IGNORE, security);
        Relay f2 = relay("f2", TunnelEnd.IGNORE, security);
        Relay f3 = relay("f3", ECHO, security);
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();

        Tunnel t = a.build(List.of(f1.self(), f2.self(), f3.self()), got::add).get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            t.send(("m" + i).getBytes(StandardCharsets.UTF_8));
        }

        for (int i = 0; i < 20; i++) {
            assertThat(text(got.poll(5, TimeUnit.SECONDS))).isEqualTo("echo:m" + i);
        }
        byte[] largest = new byte[Payload.MAX_DATA_BYTES - "echo:".length()];
        t.send(largest);
        assertThat(got.poll(5, TimeUnit.SECONDS)).hasSize(Payload.MAX_DATA_BYTES);
        for (Relay r : List.of(a, f1, f2, f3)) {
            assertThat(r.counters().refusedTotal()).isZero();
        }
    }

    @Test
    void eachHopLearnsOnlyItsPredecessorAndSuccessorAndAnIdPerLink() throws Exception {
        Relay a = relay("a", TunnelEnd.IGNORE);
        Relay f1 = relay("f1", TunnelEnd.IGNORE);
        Relay f2 = relay("f2", TunnelEnd.IGNORE);
        Relay f3 = relay("f3", TunnelEnd.IGNORE);

        Tunnel t = a.build(List.of(f1.self(), f2.self(), f3.self()), data -> { }).get(5, TimeUnit.SECONDS);

        HopView v1 = f1.views().getFirst();
        HopView v2 = f2.views().getFirst();
        HopView v3 = f3.views().getFirst();
        assertThat(v1.predecessor()).isEqualTo(a.self());
        assertThat(v1.successor()).isEqualTo(f2.self());
        assertThat(v2.predecessor()).isEqualTo(f1.self());
        assertThat(v2.successor()).isEqualTo(f3.self());
        assertThat(v3.predecessor()).isEqualTo(f2.self());
        assertThat(v3.successor()).isNull();
        assertThat(v3.last()).isTrue();
        assertThat(v1.last() || v2.last()).isFalse();
        assertThat(v3.entryId()).isEqualTo(t.entryId());
        assertThat(a.views()).isEmpty();
        for (HopView far : List.of(v2, v3)) {
            assertThat(far.predecessor().sameKey(a.self().publicKey())).isFalse();
        }
        assertThat(v1.outId()).isEqualTo(v2.inId());
        assertThat(v2.outId()).isEqualTo(v3.inId());
        Set<Integer> ids = new HashSet<>(List.of(v1.inId(), v2.inId(), v3.inId(), v3.entryId()));
        assertThat(ids).hasSize(4);
        for (Relay f : List.of(f1, f2, f3)) {
            assertThat(f.counters().tunnelsRelayed()).isEqualTo(1);
        }
        assertThat(a.counters().tunnelsRelayed()).isZero();
        assertThat(f3.counters().cellsIn()).isEqualTo(2); // HELLO, SETUP
        assertThat(f3.counters().cellsOut()).isEqualTo(1); // the acknowledgement
    }

    /**
     * Counts the bytes on each link while a second tunnel is set up over the links the first one
     * opened (so TLS handshakes, whose certificates differ by a byte or two, are not counted) and
     * carries data both ways: every link carries exactly the same bytes, whatever its position,
     * and the two tunnels share one connection per link under different ids.
     */
    @ParameterizedTest
    @EnumSource(LinkSecurity.class)
    void everyLinkCarriesTheSameNumberOfBytesWhateverTheHopsPosition(LinkSecurity security) throws Exception {
        Relay a = relay("a", TunnelEnd.IGNORE, security);
        Relay f1 = relay("f1", TunnelEnd.IGNORE, security);
        Relay f2 = relay("f2", TunnelEnd.IGNORE, security);
        Relay f3 = relay("f3", ECHO, security);
        List<CountingProxy> proxies = new ArrayList<>();
        List<Hop> path = new ArrayList<>();
        for (Relay f : List.of(f1, f2, f3)) {
            CountingProxy p = new CountingProxy(f.self().address());
            opened.add(p);
            proxies.add(p);
            path.add(new Hop(f.self().publicKey(), p.address()));
        }
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        Tunnel first = a.build(path, got::add).get(5, TimeUnit.SECONDS);
        first.send(new byte[1]);
        assertThat(got.poll(5, TimeUnit.SECONDS)).isNotNull();
        long[] towardsBefore = proxies.stream().mapToLong(p -> p.towardsTarget.get()).toArray();
        long[] backBefore = proxies.stream().mapToLong(p -> p.fromTarget.get()).toArray();

        Tunnel t = a.build(path, got::add).get(5, TimeUnit.SECONDS);
        int messages = 5;
        for (int i = 0; i < messages; i++) {
            t.send(new byte[i * 100]);
            assertThat(got.poll(5, TimeUnit.SECONDS)).hasSize(i * 100 + "echo:".length());
        }

        Set<Long> towards = new HashSet<>();
        Set<Long> back = new HashSet<>();
        for (int i = 0; i < proxies.size(); i++) {
            towards.add(proxies.get(i).towardsTarget.get() - towardsBefore[i]);
            back.add(proxies.get(i).fromTarget.get() - backBefore[i]);
        }
        assertThat(towards).hasSize(1);
        assertThat(back).hasSize(1);
        assertThat(proxies).allSatisfy(p -> assertThat(p.connections.get()).isEqualTo(1));
        assertThat(f2.views()).hasSize(2).extracting(HopView::inId).doesNotHaveDuplicates();
        long cellsTowards = 1 + messages; // SETUP, the data
        long cellsBack = 1 + messages; // the acknowledgement, the echoes
        if (security == LinkSecurity.TCP) {
            assertThat(towards).containsExactly(cellsTowards * Cell.BYTES);
            assertThat(back).containsExactly(cellsBack * Cell.BYTES);
        } else {
            assertThat(towards).containsExactly(cellsTowards * (Cell.BYTES + TLS13_RECORD_OVERHEAD));
            assertThat(back).containsExactly(cellsBack * (Cell.BYTES + TLS13_RECORD_OVERHEAD));
        }
    }

    @Test
    void anInboundTunnelDeliversWhatEntersAtItsEntryPoint() throws Exception {
        Relay a = relay("a", TunnelEnd.IGNORE);
        Relay f1 = relay("f1", TunnelEnd.IGNORE);
        Relay f2 = relay("f2", TunnelEnd.IGNORE);
        Relay f3 = relay("f3", TunnelEnd.IGNORE);
        Relay caller = relay("b", TunnelEnd.IGNORE);
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        Tunnel inbound = a.build(List.of(f1.self(), f2.self(), f3.self()), got::add).get(5, TimeUnit.SECONDS);

        caller.enter(f3.self(), inbound.entryId() + 1, "lost".getBytes(StandardCharsets.UTF_8));
        caller.enter(f3.self(), inbound.entryId(), "INVITE".getBytes(StandardCharsets.UTF_8));

        assertThat(text(got.poll(5, TimeUnit.SECONDS))).isEqualTo("INVITE");
        assertThat(f3.counters().refused(Refusal.UNKNOWN_TUNNEL)).isEqualTo(1);
        assertThat(got).isEmpty();
    }

    @Test
    void anUnreachableHopFailsTheBuildAndLeavesNoBindingBehind() throws Exception {
        Relay a = relay("a", TunnelEnd.IGNORE);
        Relay f1 = relay("f1", TunnelEnd.IGNORE);
        Hop gone;
        try (ServerSocket closedPort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = new Hop(X25519.raw(X25519.generate().getPublic()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort.getLocalPort()));
        }

        assertThatThrownBy(() -> a.build(List.of(gone), data -> { }).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("link to the first hop closed");
        assertThatThrownBy(() -> a.build(List.of(f1.self(), gone), data -> { }).get(10, TimeUnit.SECONDS))
                .hasMessageContaining("a hop destroyed it");
        await().atMost(Duration.ofSeconds(5)).until(() -> f1.views().isEmpty());
        assertThat(a.errors().count("connect")).isEqualTo(1);
        assertThat(f1.errors().count("connect")).isEqualTo(1);
    }
}
