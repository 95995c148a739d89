package dev.d2r2.tunnel.node;

import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.events.DnSuspected;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import dev.d2r2.broker.security.Crypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detector's verdicts in virtual time: the test plays one DN on a real loopback socket — its
 * control side (assign, BFD every 10 ms while its control path lives) and its data path (each
 * probe the detector sends is brought back while its data path lives).
 */
class DnFailureDetectorTest {
    private static final int TUNNEL = 900;
    private static final int ADDRESS = 0x0a4dff01;
    private static final TunnelIdentity FD = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    private static final TunnelIdentity DN = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    /** What the DN checks the detector's frames with: the key of its identity and the detector's, as an EN's. */
    private static final PacketMac FROM_FD = new PacketMac(DN.pairKey(FD.publicKey(), TUNNEL, false, Direction.EN_TO_DN));

    private final ManualClock clock = new ManualClock(0);
    private final List<Event> events = new ArrayList<>();
    private DatagramChannel fd;
    private DatagramChannel dn;
    private DnFailureDetector agent;
    private final List<Control> controls = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fd = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn.configureBlocking(false);
        DnfdConfig config = new DnfdConfig("fd1", TUNNEL, "fd1.identity", "10.77.255.1", null,
                List.of(new DnRef("dn1", "127.0.0.1:" + ((InetSocketAddress) dn.getLocalAddress()).getPort(), DN.publicHex())),
                Duration.ofMillis(50), 4, Duration.ofMillis(100),
                new BfdConfig(Duration.ofMillis(10), Duration.ofMillis(10), 3, Duration.ofMillis(100)), null, null, null);
        agent = new DnFailureDetector(config, FD, fd, clock, new SplittableRandom(1), events::add, new Counters());
    }

    @AfterEach
    void tearDown() throws Exception {
        fd.close();
        dn.close();
    }

    @Test
    void aDnDroppingDataWhileItsBfdIsUpIsSuspectedForData() throws Exception {
        agent.onTimer(clock.millis());
        run(1, true, true);
        assertThat(controls).as("greets the DN as a secondary holding its own address").contains(new Control.Hello(false, ADDRESS));
        agent.onMessage(new Received(dnAddress(), TUNNEL, new Control.Assign(ADDRESS, 24, "dn1")));
        agent.onMessage(new Received(dnAddress(), TUNNEL, new Control.Bfd(new BfdPacket(0, BfdState.INIT, false, false, 3, 11, 0, 10_000, 10_000))));
        run(500, true, true);
        assertThat(verdicts()).containsExactly(new DnSuspected(verdicts().get(0).time(), "fd1", "unknown", "alive", "dn1", "answering"));

        run(1000, true, false);
        assertThat(last()).extracting(DnSuspected::to, DnSuspected::reason).containsExactly("suspected", "data");
        assertThat(last().time()).as("after four probes lost in a row, 50 ms apart").isBetween(500L + 150, 500L + 260);

        run(500, true, true);
        assertThat(last()).extracting(DnSuspected::from, DnSuspected::to).containsExactly("suspected", "alive");

        run(500, false, false);
        assertThat(last()).extracting(DnSuspected::to, DnSuspected::reason).containsExactly("suspected", "control");
        assertThat(verdicts()).hasSize(4);
    }

    @Test
    void aFenceOrderIsSentToTheDnFiveTimesAndItsLiftingToo() throws Exception {
        agent.onMessage(new FenceOrder("dn1", true));
        run(1000, false, false);
        assertThat(controls.stream().filter(c -> c.equals(new Control.Fence(true)))).hasSize(DnFailureDetector.FENCE_SENDS);
        agent.onMessage(new FenceOrder("dn1", false));
        run(1000, false, false);
        assertThat(controls.stream().filter(c -> c.equals(new Control.Fence(false)))).hasSize(DnFailureDetector.FENCE_SENDS);
        assertThat(agent.watches("dn1")).isTrue();
        assertThat(agent.watches("dn9")).isFalse();
    }

    @Test
    void aFrameFromTheDnsAddressSealedByAnotherIdentityIsRefusedAndCounted() throws Exception {
        DnfdNode.FromDn fromDn = new DnfdNode.FromDn(new PacketMac(FD.pairKey(DN.publicKey(), TUNNEL, true, Direction.DN_TO_EN)),
                new ReplayWindow(1_000_000_000L));
        Counters counters = new Counters();
        TunnelIdentity stranger = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
        Control assign = new Control.Assign(ADDRESS, 24, "dn1");
        assertThat(DnfdNode.parse(dnAddress(), fromDn(stranger, 1, assign), TUNNEL, fromDn, counters)).isNotInstanceOf(Received.class);
        assertThat(DnfdNode.parse(dnAddress(), fromDn(DN, 2, assign), TUNNEL, null, counters)).as("from an unwatched address")
                .isNotInstanceOf(Received.class);
        assertThat(DnfdNode.parse(dnAddress(), fromDn(DN, 3, assign), TUNNEL, fromDn, counters))
                .isEqualTo(new Received(dnAddress(), TUNNEL, assign));
        assertThat(counters.drops.get(Drop.UNAUTHENTICATED)).isEqualTo(1);
        assertThat(counters.drops.get(Drop.UNKNOWN_TUNNEL)).isEqualTo(1);
        assertThat(counters.received.get()).isEqualTo(1);

        agent.onTimer(clock.millis() + 60_000);
        assertThat(events.stream().filter(e -> e.type().equals(TunnelEvents.STATUS.name()))).as("its counters, published").isNotEmpty();
    }

    /** A control frame as the DN of identity {@code sender} seals it for the detector. */
    private static ByteBuffer fromDn(TunnelIdentity sender, int seq, Control c) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        int n = Control.write(c, buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, TUNNEL, seq, n, new PacketMac(sender.pairKey(FD.publicKey(), TUNNEL, false, Direction.DN_TO_EN)));
        return buf;
    }

    /** Advances {@code millis} virtual milliseconds as a DN whose control and data paths are alive or not. */
    private void run(long millis, boolean control, boolean data) throws Exception {
        for (long i = 0; i < millis; i++) {
            clock.advance(Duration.ofMillis(1));
            long now = clock.millis();
            if (control && now % 10 == 0) {
                agent.onMessage(new Received(dnAddress(), TUNNEL, new Control.Bfd(new BfdPacket(0, BfdState.UP, false, false, 3, 11, 0, 10_000, 10_000))));
            }
            ByteBuffer buf = ByteBuffer.allocate(256);
            while (dn.receive(buf.clear()) != null) {
                buf.flip();
                assertThat(GreFrame.open(buf, id -> id == TUNNEL ? FROM_FD : null)).as("sealed with the detector's and the DN's identities")
                        .isNull();
                if (GreFrame.protocol(buf) == GreFrame.PROTO_CONTROL) {
                    controls.add(Control.read(buf, GreFrame.HEADER_BYTES, GreFrame.payloadLength(buf)));
                } else if (data) {
                    agent.onMessage(new ProbeEcho(dnAddress(), ProbePacket.read(buf, GreFrame.HEADER_BYTES, GreFrame.payloadLength(buf), TUNNEL)));
                }
            }
            if (agent.nextDueMillis() <= now) {
                agent.onTimer(now);
            }
        }
    }

    private List<DnSuspected> verdicts() throws Exception {
        List<DnSuspected> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(TunnelEvents.DN_SUSPECTED.name())) {
                out.add(DnSuspected.from(e));
            }
        }
        return out;
    }

    private DnSuspected last() throws Exception {
        List<DnSuspected> v = verdicts();
        return v.get(v.size() - 1);
    }

    private InetSocketAddress dnAddress() throws Exception {
        return (InetSocketAddress) dn.getLocalAddress();
    }
}
