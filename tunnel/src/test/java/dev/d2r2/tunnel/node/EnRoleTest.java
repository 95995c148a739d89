package dev.d2r2.tunnel.node;

import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.bfd.BfdPacket;
import dev.d2r2.tunnel.bfd.BfdState;
import dev.d2r2.tunnel.events.EnDnChanged;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.path.TrustInput;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.TunnelKey;
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
 * The EN's choice of DN in virtual time: the test plays both DNs' control side (assign, BFD
 * packets every 10 ms while a DN lives) and reads what the EN sends them on real loopback sockets.
 */
class EnRoleTest {
    private static final int ADDRESS = 0x0a4d0101;
    private static final TunnelKey KEY = new TunnelKey(new byte[32]);

    private final ManualClock clock = new ManualClock(0);
    private final List<Event> events = new ArrayList<>();
    private DatagramChannel en;
    private DatagramChannel dn1;
    private DatagramChannel dn2;
    private EnRole role;
    private int assigned;
    private final Counters counters = new Counters();

    @BeforeEach
    void setUp() throws Exception {
        en = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn1 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        dn2 = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        role = role(null);
    }

    private EnRole role(Duration dataSilence) throws Exception {
        EnConfig config = new EnConfig("en1", 1, "k", "d2r2-tun-x", null, null,
                List.of(new DnRef("dn1", "127.0.0.1:" + port(dn1)), new DnRef("dn2", "127.0.0.1:" + port(dn2))), List.of(),
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofHours(1),
                new BfdConfig(Duration.ofMillis(10), Duration.ofMillis(10), 3, Duration.ofMillis(100)), null, null, null, dataSilence, null, null);
        return new EnRole(config, EnKeys.master(KEY, 1, 2), new DatagramChannel[]{en}, clock, () -> clock.millis() * 1_000_000, new SplittableRandom(1), events::add,
                (a, prefix) -> assigned = a, counters);
    }

    @Test
    void aDnUpOnBfdThatReturnsNoDataIsLeftForReasonDataUntilItsSessionRestarts() throws Exception {
        role = role(Duration.ofMillis(300));
        role.onTimer(clock.millis());
        bringUp(dn1);
        bringUp(dn2);
        for (int i = 0; i < 20; i++) {
            counters.sent.incrementAndGet();
            counters.receivedOn.incrementAndGet(0);
            run(100, true, true);
        }
        assertThat(role.activePeer().name).as("data both ways for 2 s: it stays").isEqualTo("dn1");
        received(dn1);
        for (int i = 0; i < 20; i++) {
            run(100, true, true);
        }
        assertThat(role.activePeer().name).as("nothing sent, nothing back: idle is not a fault").isEqualTo("dn1");
        received(dn1);

        for (int i = 0; i < 2; i++) {
            counters.sent.incrementAndGet();
            run(100, true, true);
        }
        assertThat(role.activePeer().name).as("200 ms of silence is under data-silence").isEqualTo("dn1");
        for (int i = 0; i < 3; i++) {
            counters.sent.incrementAndGet();
            run(100, true, true);
        }
        assertThat(lastSwitch().from()).isEqualTo("dn1");
        assertThat(lastSwitch().to()).isEqualTo("dn2");
        assertThat(lastSwitch().reason()).isEqualTo("data");
        assertThat(received(dn1)).as("the silent DN stops carrying the EN").contains(new Control.Release(ADDRESS));

        counters.receivedOn.incrementAndGet(0);
        run(2000, true, true);
        assertThat(role.activePeer().name).as("Up on BFD but suspected: no failback").isEqualTo("dn2");

        run(100, false, true);
        bringUp(dn1);
        run(1100, true, true);
        assertThat(lastSwitch().to()).as("its session restarted: taken back after the hold-down").isEqualTo("dn1");
        assertThat(lastSwitch().reason()).isEqualTo("failback");
    }

    @Test
    void withoutDataSilenceOnlyBfdMovesTheEn() throws Exception {
        role.onTimer(clock.millis());
        bringUp(dn1);
        bringUp(dn2);
        for (int i = 0; i < 30; i++) {
            counters.sent.incrementAndGet();
            run(100, true, true);
        }
        assertThat(role.activePeer().name).isEqualTo("dn1");
    }

    @AfterEach
    void tearDown() throws Exception {
        en.close();
        dn1.close();
        dn2.close();
    }

    @Test
    void connectsThroughThePrimaryFailsOverAndFailsBackAfterTheHoldDown() throws Exception {
        role.onTimer(clock.millis());
        bringUp(dn1);
        assertThat(assigned).isEqualTo(ADDRESS);
        assertThat(lastSwitch()).isEqualTo(new EnDnChanged(lastSwitch().time(), "en1", "none", "dn1", "connected", "10.77.1.1", 1));
        bringUp(dn2);
        run(1200, true, true);
        received(dn2);
        assertThat(role.activePeer().name).isEqualTo("dn1");
        assertThat(role.nextDueMillis()).as("idle with both sessions up, longer than the hold-down: no timer in the past").isGreaterThan(clock.millis());

        run(100, false, true);
        assertThat(lastSwitch().to()).isEqualTo("dn2");
        assertThat(lastSwitch().reason()).isEqualTo("failover");
        assertThat(role.activePeer().name).isEqualTo("dn2");

        bringUp(dn1);
        run(900, true, true);
        assertThat(role.activePeer().name).as("still held down 0.9 s after the primary came back").isEqualTo("dn2");
        received(dn2);
        run(200, true, true);
        assertThat(lastSwitch().to()).isEqualTo("dn1");
        assertThat(lastSwitch().reason()).isEqualTo("failback");
        assertThat(received(dn2)).contains(new Control.Release(ADDRESS));
        assertThat(role.nextDueMillis()).isGreaterThan(clock.millis());
    }

    @Test
    void withBothDnsLostItSaysSoAndTakesTheFirstThatReturnsAtOnce() throws Exception {
        role.onTimer(clock.millis());
        bringUp(dn1);
        bringUp(dn2);
        run(100, true, true);
        run(100, false, false);
        assertThat(lastSwitch().to()).isEqualTo(EnDnChanged.NONE);
        assertThat(lastSwitch().reason()).isEqualTo("lost");
        assertThat(role.activePeer()).isNull();
        received(dn2);
        run(300, false, false);
        assertThat(received(dn2)).as("the lost DNs are greeted again").contains(new Control.Hello(false, ADDRESS));
        bringUp(dn2);
        assertThat(lastSwitch().to()).as("no hold-down when nothing carries the traffic").isEqualTo("dn2");
    }

    @Test
    void aDistrustedDnIsLeftAtOnceAndTakenBackAfterTheHoldOnceTrustedAgain() throws Exception {
        role.onTimer(clock.millis());
        bringUp(dn1);
        bringUp(dn2);
        run(1200, true, true);
        role.onMessage(new TrustInput("dn1", TrustInput.Change.INDICT));
        assertThat(role.activePeer().name).as("one indictment: trust 0.5, above refuse-below 0.3").isEqualTo("dn1");
        received(dn1);

        role.onMessage(new TrustInput("dn1", TrustInput.Change.INDICT));
        assertThat(lastSwitch().from()).isEqualTo("dn1");
        assertThat(lastSwitch().to()).isEqualTo("dn2");
        assertThat(lastSwitch().reason()).isEqualTo("distrusted");
        assertThat(received(dn1)).as("the distrusted DN stops carrying the EN").contains(new Control.Release(ADDRESS));
        run(1500, true, true);
        assertThat(role.activePeer().name).as("its session is Up, but it is not taken while distrusted").isEqualTo("dn2");
        assertThat(role.nextDueMillis()).isGreaterThan(clock.millis());

        role.onMessage(new TrustInput("dn1", TrustInput.Change.RESTORE));
        run(900, true, true);
        assertThat(role.activePeer().name).as("trusted again: held down like a DN that came back").isEqualTo("dn2");
        run(200, true, true);
        assertThat(lastSwitch().to()).isEqualTo("dn1");
        assertThat(lastSwitch().reason()).isEqualTo("failback");
    }

    @Test
    void withEveryDnDistrustedTheEnSaysItIsLost() throws Exception {
        role.onTimer(clock.millis());
        bringUp(dn1);
        bringUp(dn2);
        run(100, true, true);
        role.onMessage(new TrustInput("dn2", TrustInput.Change.DISTRUST));
        assertThat(role.activePeer().name).isEqualTo("dn1");
        role.onMessage(new TrustInput("dn1", TrustInput.Change.DISTRUST));
        assertThat(lastSwitch().to()).isEqualTo(EnDnChanged.NONE);
        assertThat(lastSwitch().reason()).isEqualTo("distrusted");
        assertThat(role.activePeer()).isNull();
        role.onMessage(new TrustInput("dn2", TrustInput.Change.RESTORE));
        assertThat(lastSwitch().to()).as("no hold-down when nothing carries the traffic").isEqualTo("dn2");
    }

    /** The DN answers the EN's hello and its BFD session says Init: the EN's session comes Up. */
    private void bringUp(DatagramChannel dn) throws Exception {
        role.onMessage(new Received(address(dn), 1, new Control.Assign(ADDRESS, 24, dn == dn1 ? "dn1" : "dn2")));
        role.onMessage(new Received(address(dn), 1, new Control.Bfd(new BfdPacket(0, BfdState.INIT, false, false, 3,
                dn == dn1 ? 11 : 22, 0, 10_000, 10_000))));
    }

    /** Advances {@code millis} virtual milliseconds; each live DN sends an Up packet every 10 ms. */
    private void run(long millis, boolean dn1Alive, boolean dn2Alive) throws Exception {
        for (long i = 0; i < millis; i++) {
            clock.advance(Duration.ofMillis(1));
            long now = clock.millis();
            if (now % 10 == 0) {
                if (dn1Alive) {
                    role.onMessage(new Received(address(dn1), 1, new Control.Bfd(new BfdPacket(0, BfdState.UP, false, false, 3, 11, 0, 10_000, 10_000))));
                }
                if (dn2Alive) {
                    role.onMessage(new Received(address(dn2), 1, new Control.Bfd(new BfdPacket(0, BfdState.UP, false, false, 3, 22, 0, 10_000, 10_000))));
                }
            }
            if (role.nextDueMillis() <= now) {
                role.onTimer(now);
            }
        }
    }

    private EnDnChanged lastSwitch() throws Exception {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).type().equals(TunnelEvents.EN_DN.name())) {
                return EnDnChanged.from(events.get(i));
            }
        }
        return null;
    }

    /**
     * The control messages the EN has sent to {@code dn} since the last look (all already queued on
     * loopback; a look every second or so keeps them within the socket's buffer).
     */
    private static List<Control> received(DatagramChannel dn) throws Exception {
        List<Control> got = new ArrayList<>();
        dn.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(256);
        while (dn.receive(buf.clear()) != null) {
            buf.flip();
            assertThat(GreFrame.open(buf, KEY::macFor)).isNull();
            got.add(Control.read(buf, GreFrame.HEADER_BYTES, GreFrame.payloadLength(buf)));
        }
        return got;
    }

    private static int port(DatagramChannel c) throws Exception {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    private static InetSocketAddress address(DatagramChannel c) throws Exception {
        return (InetSocketAddress) c.getLocalAddress();
    }
}
