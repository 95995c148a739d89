package dev.d2r2.tunnel.node;

import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.events.PathEvents;
import dev.d2r2.tunnel.events.PathSwitched;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.path.MhConfig;
import dev.d2r2.tunnel.path.TrustInput;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.TunnelKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A multihomed EN's choice of uplink in virtual time: two uplink sockets and the DN's on loopback;
 * the test plays the DN (BFD Up every 10 ms, and the echo of each probe that arrives by an uplink
 * it counts as alive) and reads what the EN sends it, and from which uplink.
 */
class EnUplinksTest {
    private static final int ADDRESS = 0x0a4d0101;
    private static final TunnelKey KEY = new TunnelKey(new byte[32]);

    private final ManualClock clock = new ManualClock(0);
    private final List<Event> events = new ArrayList<>();
    private final List<Control> fromUp1 = new ArrayList<>();
    private final List<Control> fromUp2 = new ArrayList<>();
    private DatagramChannel up1;
    private DatagramChannel up2;
    private DatagramChannel dn1;
    private DatagramChannel dn2;
    private EnRole role;

    @BeforeEach
    void setUp() throws Exception {
        up1 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        up2 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn1 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn2 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn1.configureBlocking(false);
        EnConfig config = new EnConfig("en1", 1, "k", "d2r2-tun-x", null, null,
                List.of(new DnRef("dn1", "127.0.0.1:" + port(dn1)), new DnRef("dn2", "127.0.0.1:" + port(dn2))), List.of(),
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofHours(1),
                new BfdConfig(Duration.ofMillis(10), Duration.ofMillis(10), 30, Duration.ofMillis(100)),
                List.of(new Uplink("up1", "127.0.0.1:0", null), new Uplink("up2", "127.0.0.1:0", 20.0)),
                new Multipath(null, new MhConfig.Probe(Duration.ofMillis(10), 50, Duration.ofMillis(100), Duration.ofMillis(60)), null,
                        new MhConfig.Hysteresis(5.0, Duration.ofMillis(500)), Duration.ofHours(1)), null, null, null, null);
        role = new EnRole(config, EnKeys.master(KEY, 1, 2), new DatagramChannel[]{up1, up2}, clock, () -> clock.millis() * 1_000_000, new SplittableRandom(1),
                events::add, (a, prefix) -> { }, new Counters(2));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (DatagramChannel c : List.of(up1, up2, dn1, dn2)) {
            c.close();
        }
    }

    @Test
    void aSilentUplinkLosesTheTrafficAtOnceAndWinsItBackAfterTheHoldWithoutADnChange() throws Exception {
        role.onTimer(clock.millis());
        for (DatagramChannel dn : List.of(dn1, dn2)) {
            role.onMessage(new Received(address(dn), 1, new Control.Assign(ADDRESS, 24, dn == dn1 ? "dn1" : "dn2")));
            role.onMessage(new Received(address(dn), 1, new Control.Bfd(new BfdPacket(0, BfdState.INIT, false, false, 3,
                    dn == dn1 ? 11 : 22, 0, 10_000, 10_000))));
        }
        run(200, true, true);
        assertThat(switches()).containsExactly("none>up1:up");
        assertThat(role.nextUplink()).isZero();
        assertThat(fromUp2).as("up2 carries probes only").allMatch(c -> c instanceof Control.PathProbe);

        fromUp1.clear();
        fromUp2.clear();
        run(200, false, true);
        assertThat(switches()).containsExactly("none>up1:up", "up1>up2:down");
        assertThat(role.nextUplink()).as("data follows").isEqualTo(1);
        assertThat(fromUp2).as("the DN is told on the new uplink").contains(new Control.Carry(ADDRESS));
        fromUp1.clear();
        fromUp2.clear();
        run(100, false, true);
        assertThat(fromUp2).as("control follows").anyMatch(c -> c instanceof Control.Bfd);
        assertThat(fromUp1).as("up1 carries probes only").isNotEmpty().allMatch(c -> c instanceof Control.PathProbe);

        run(900, true, true);
        assertThat(switches()).as("not while up1's lost probes weigh in the window (500 ms) and then the hold (500 ms)").hasSize(2);
        run(300, true, true);
        assertThat(switches()).containsExactly("none>up1:up", "up1>up2:down", "up2>up1:better");
        assertThat(role.nextUplink()).isZero();
        assertThat(events).as("the EN never left dn1").filteredOn(e -> TunnelEvents.EN_DN.matches(e.type())).hasSize(1);
    }

    @Test
    void anIndictedUplinkLosesTheTrafficToASlowerOneAndADistrustedOneAtOnce() throws Exception {
        role.onTimer(clock.millis());
        for (DatagramChannel dn : List.of(dn1, dn2)) {
            role.onMessage(new Received(address(dn), 1, new Control.Assign(ADDRESS, 24, dn == dn1 ? "dn1" : "dn2")));
            role.onMessage(new Received(address(dn), 1, new Control.Bfd(new BfdPacket(0, BfdState.INIT, false, false, 3,
                    dn == dn1 ? 11 : 22, 0, 10_000, 10_000))));
        }
        run(200, true, true);
        assertThat(switches()).containsExactly("none>up1:up");

        role.onMessage(new TrustInput("up1", TrustInput.Change.INDICT));
        run(400, true, true);
        assertThat(switches()).as("held: up1's distrust (50) outweighs up2's penalty (20) for the hold first").hasSize(1);
        run(200, true, true);
        assertThat(switches()).containsExactly("none>up1:up", "up1>up2:better");
        assertThat(role.nextUplink()).as("data follows").isEqualTo(1);
        assertThat(fromUp2).as("the DN is told on the new uplink").contains(new Control.Carry(ADDRESS));

        role.onMessage(new TrustInput("up1", TrustInput.Change.RESTORE));
        run(600, true, true);
        assertThat(switches()).last().isEqualTo("up2>up1:better");

        role.onMessage(new TrustInput("up1", TrustInput.Change.DISTRUST));
        assertThat(switches()).as("no trust: not usable, left at once").last().isEqualTo("up1>up2:down");
        run(1000, true, true);
        assertThat(role.nextUplink()).isEqualTo(1);
        assertThat(events).as("the EN never left dn1").filteredOn(e -> TunnelEvents.EN_DN.matches(e.type())).hasSize(1);
    }

    /** Advances {@code millis} virtual milliseconds; the DN sends BFD Up every 10 ms and echoes the probes of the live uplinks. */
    private void run(long millis, boolean up1Alive, boolean up2Alive) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(256);
        for (long i = 0; i < millis; i++) {
            clock.advance(Duration.ofMillis(1));
            long now = clock.millis();
            if (now % 10 == 0) {
                for (DatagramChannel dn : List.of(dn1, dn2)) {
                    role.onMessage(new Received(address(dn), 1, new Control.Bfd(new BfdPacket(0, BfdState.UP, false, false, 3,
                            dn == dn1 ? 11 : 22, 0, 10_000, 10_000))));
                }
            }
            SocketAddress from;
            while ((from = dn1.receive(buf.clear())) != null) {
                buf.flip();
                assertThat(GreFrame.open(buf, KEY::macFor)).isNull();
                Control c = Control.read(buf, GreFrame.HEADER_BYTES, GreFrame.payloadLength(buf));
                boolean viaUp1 = from.equals(up1.getLocalAddress());
                (viaUp1 ? fromUp1 : fromUp2).add(c);
                if (c instanceof Control.PathProbe p && (viaUp1 ? up1Alive : up2Alive)) {
                    role.onMessage(new Received(address(dn1), 1, new Control.PathEcho(p.path(), p.seq())));
                }
            }
            if (role.nextDueMillis() <= now) {
                role.onTimer(now);
            }
        }
    }

    private List<String> switches() {
        return events.stream().filter(e -> PathEvents.SWITCHED.matches(e.type()))
                .map(e -> e.from() + ">" + e.to() + ":" + e.attrs().get(PathSwitched.REASON)).toList();
    }

    private static int port(DatagramChannel c) throws Exception {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    private static InetSocketAddress address(DatagramChannel c) throws Exception {
        return (InetSocketAddress) c.getLocalAddress();
    }
}
