package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.events.DnMapReported;
import dev.d2r2.tunnel.events.EsrRouteChanged;
import dev.d2r2.tunnel.events.EsrStatus;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The ESR's map and routes in virtual time, against a route table that records what the kernel would hold. */
class EsrRoleTest {
    private static final int A = 0x0a4d0101;
    private static final String A_TEXT = "10.77.1.1";
    private static final TunnelIdentity ESR = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    private static final TunnelIdentity DN1 = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    private static final TunnelIdentity DN2 = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    private static final TunnelIdentity STRANGER = TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    /** The ESR's key with each of its DNs, as {@link EsrNode#start} derives them. */
    private static final Map<String, PacketMac> ESR_KEYS = Map.of(
            "dn1", new PacketMac(ESR.pairKey(DN1.publicKey(), 901, false, Direction.EN_TO_DN)),
            "dn2", new PacketMac(ESR.pairKey(DN2.publicKey(), 901, false, Direction.EN_TO_DN)));
    private static final EsrConfig CONFIG = new EsrConfig("esr1", 901, "esr1.identity", null,
            List.of(new EsrConfig.Hop("dn1", "10.3.1.2", DN1.publicHex(), null), new EsrConfig.Hop("dn2", "10.3.2.2", DN2.publicHex(), "dn2-host")),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5));
    private static final EsrStatus.MapCounts NO_MAP = new EsrStatus.MapCounts(0, 0, 0, 0, 0);

    private final ManualClock clock = new ManualClock(1_000_000);
    private final Table table = new Table();
    private final List<Event> events = new ArrayList<>();
    private EsrRole esr = new EsrRole(CONFIG, table, clock, events::add);
    private final Map<String, Integer> sequences = new LinkedHashMap<>();

    @Test
    void theDnThatStartedCarryingLastHasTheRoute() {
        report("dn1", A);
        assertThat(table.routes).containsEntry(A, "10.3.1.2");
        report("dn2", A);
        assertThat(table.routes).containsEntry(A, "10.3.2.2");
        report("dn1", A);
        assertThat(table.routes).as("dn1 still claims it, but dn2's claim is newer").containsEntry(A, "10.3.2.2");
        report("dn2");
        report("dn1", A);
        assertThat(table.routes).as("dn2 released it: dn1 carries it").containsEntry(A, "10.3.1.2");
        assertThat(moves()).containsExactly("none>dn1:report", "dn1>dn2:report", "dn2>dn1:report");
    }

    @Test
    void aReleasedAddressKeepsItsRouteForTheHoldAndMovesWithoutAGap() {
        report("dn1", A);
        report("dn1");
        report("dn2", A);
        assertThat(moves()).as("released, then taken within the hold: never without a route").containsExactly("none>dn1:report", "dn1>dn2:report");

        report("dn2");
        after(Duration.ofMillis(240));
        assertThat(table.routes).containsKey(A);
        after(Duration.ofMillis(260));
        assertThat(table.routes).isEmpty();
        assertThat(moves()).last().isEqualTo("dn2>none:unclaimed");
    }

    @Test
    void aSilentDnCarriesNothingAndItsRouteFallsBackToTheOtherClaim() {
        report("dn2", A);
        report("dn1", A);
        for (int i = 0; i < 5; i++) {
            after(Duration.ofMillis(250));
            report("dn2", A);
        }
        assertThat(table.routes).containsEntry(A, "10.3.2.2");
        assertThat(moves()).containsExactly("none>dn2:report", "dn2>dn1:report", "dn1>dn2:expired");

        for (int i = 0; i < 6; i++) {
            after(Duration.ofMillis(250));
        }
        assertThat(table.routes).as("both silent: the EN has left").isEmpty();
    }

    @Test
    void staleUnknownAndBadDatagramsAreCountedAndChangeNothing() throws Exception {
        report("dn1", A);
        esr.onMessage(new EsrRole.Report(sequences.get("dn1"), new Control.Carriers("dn1", List.of())));
        esr.onMessage(new EsrRole.Report(1, new Control.Carriers("dn9", List.of(A))));
        esr.onMessage(Drop.MALFORMED);
        esr.onMessage(Drop.UNAUTHENTICATED);
        esr.onMessage(Drop.UNKNOWN_TUNNEL);
        after(Duration.ofSeconds(5));
        EsrStatus status = EsrStatus.from(events.stream().filter(e -> e.type().equals(TunnelEvents.ESR_STATUS.name())).findFirst().orElseThrow());
        assertThat(status).isEqualTo(new EsrStatus(status.time(), "esr1", 0, 1, 1, 2, 1, 1, 0, NO_MAP));
        assertThat(moves()).as("the stale report (the replay of a release) did not remove the route until dn1 fell silent")
                .containsExactly("none>dn1:report", "dn1>none:unclaimed");
    }

    @Test
    void theReportFrameIsCheckedBeforeTheRoleSeesIt() {
        ByteBuffer buf = sealed(DN1, "dn1", 901, 7);
        assertThat(EsrNode.parse(buf.duplicate(), 901, ESR_KEYS::get)).isEqualTo(new EsrRole.Report(7, new Control.Carriers("dn1", List.of(A))));
        assertThat(EsrNode.parse(buf.duplicate(), 902, ESR_KEYS::get)).isEqualTo(Drop.UNKNOWN_TUNNEL);
        assertThat(EsrNode.parse(ByteBuffer.wrap(new byte[]{1, 2, 3}), 901, ESR_KEYS::get)).isEqualTo(Drop.MALFORMED);

        buf.clear();
        int n = Control.write(new Control.Hello(true, 0), buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, 901, 8, n, toEsr(DN1, 901));
        assertThat(EsrNode.parse(buf, 901, ESR_KEYS::get)).as("authenticated, but not a report").isEqualTo(Drop.MALFORMED);
    }

    @Test
    void aReportSealedByAnotherIdentityThanItsDnsIsRefusedAndCounted() {
        Object forged = EsrNode.parse(sealed(DN2, "dn1", 901, 1), 901, ESR_KEYS::get);
        assertThat(forged).as("dn2's identity sealing a report in dn1's name").isEqualTo(Drop.UNAUTHENTICATED);
        assertThat(EsrNode.parse(sealed(STRANGER, "dn2", 901, 1), 901, ESR_KEYS::get)).isEqualTo(Drop.UNAUTHENTICATED);
        esr.onMessage(forged);
        after(Duration.ofSeconds(6));
        assertThat(table.routes).as("the forged report routed nothing").isEmpty();
        assertThat(status().unauthenticated()).isEqualTo(1);
        assertThat(status().reports()).isZero();

        esr.onMessage(EsrNode.parse(sealed(DN1, "dn1", 901, 2), 901, ESR_KEYS::get));
        assertThat(table.routes).as("dn1's own report is taken").containsEntry(A, "10.3.1.2");
    }

    /** A report of {@link #A} in {@code dn}'s name, sealed by {@code sealer}'s identity for the ESR. */
    private static ByteBuffer sealed(TunnelIdentity sealer, String dn, int tunnel, int seq) {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        int n = Control.write(new Control.Carriers(dn, List.of(A)), buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, seq, n, toEsr(sealer, tunnel));
        return buf;
    }

    /** What a DN of identity {@code dn} seals its reports with: as {@link DnKeys#toEsr} derives it. */
    private static PacketMac toEsr(TunnelIdentity dn, int tunnel) {
        return new PacketMac(dn.pairKey(ESR.publicKey(), tunnel, true, Direction.EN_TO_DN));
    }

    @Test
    void aRouteTheKernelRefusesIsRetriedOnTheNextSweep() {
        table.refuse = true;
        report("dn1", A);
        assertThat(table.routes).isEmpty();
        table.refuse = false;
        after(Duration.ofMillis(250));
        assertThat(table.routes).containsEntry(A, "10.3.1.2");
        assertThat(moves()).containsExactly("none>dn1:retry");
    }

    @Test
    void mapEventsFromTheBrokerMoveTheRouteAndARestartedEsrRebuildsItByReplayingThem() {
        List<Object> log = List.of(
                map("dn1", "dn1", 10, DnMapReported.START, DnMapReported.NONE),
                map("dn2", "dn2-host", 20, DnMapReported.START, DnMapReported.NONE),
                map("dn1", "dn1", 11, DnMapReported.ATTACH, A_TEXT, A_TEXT),
                map("dn2", "dn2-host", 21, DnMapReported.ATTACH, A_TEXT, A_TEXT),
                map("dn1", "dn1", 30, DnMapReported.START, DnMapReported.NONE),
                map("dn1", "dn1", 31, DnMapReported.ATTACH, A_TEXT, A_TEXT),
                map("dn2", "dn2-host", 22, DnMapReported.RELEASE, A_TEXT));
        for (Object m : log.subList(0, 4)) {
            esr.onMessage(m);
        }
        assertThat(table.routes).as("the failover: dn2 attached last").containsEntry(A, "10.3.2.2");
        after(Duration.ofSeconds(10));
        assertThat(table.routes).as("map events come on changes only: no DN expires for silence").containsEntry(A, "10.3.2.2");
        for (Object m : log.subList(4, log.size())) {
            esr.onMessage(m);
        }
        assertThat(table.routes).as("dn1 restarted (its old claim gone) and the EN failed back").containsEntry(A, "10.3.1.2");
        assertThat(moves()).containsExactly("none>dn1:map", "dn1>dn2:map", "dn2>dn1:map");

        Table afterRestart = new Table();
        events.clear();
        esr = new EsrRole(CONFIG, afterRestart, clock, events::add);
        log.forEach(esr::onMessage);
        assertThat(afterRestart.routes).as("the same log replayed from the start ends with the same route").isEqualTo(table.routes);
        log.forEach(esr::onMessage);
        assertThat(afterRestart.routes).containsEntry(A, "10.3.1.2");
        after(Duration.ofSeconds(5));
        assertThat(status().map()).as("the log delivered twice: its second copy is stale").isEqualTo(new EsrStatus.MapCounts(7, 0, 0, 0, 7));
    }

    @Test
    void badMapEventsAreCountedByReasonAndChangeNothing() {
        esr.onMessage(map("dn1", "dn1", 5, DnMapReported.ATTACH, A_TEXT, A_TEXT));
        esr.onMessage(map("dn2", "dn2", 6, DnMapReported.ATTACH, A_TEXT, A_TEXT));
        esr.onMessage(map("dn2", "dn1", 7, DnMapReported.ATTACH, A_TEXT, A_TEXT));
        esr.onMessage(map("dn2", null, 8, DnMapReported.ATTACH, A_TEXT, A_TEXT));
        esr.onMessage(map("dn9", "dn9", 9, DnMapReported.ATTACH, A_TEXT, A_TEXT));
        esr.onMessage(map("dn1", "dn1", 5, DnMapReported.RELEASE, A_TEXT));
        esr.onMessage(map("dn1", "dn1", 4, DnMapReported.RELEASE, A_TEXT));
        Event good = new DnMapReported(1, "dn2", 10, DnMapReported.ATTACH, "moved", A_TEXT, List.of(A_TEXT)).toEvent();
        List<Event> malformed = List.of(
                with(good, DnMapReported.CARRYING, "10.77.1.01"),
                with(good, DnMapReported.CARRYING, "10.77.1.1,"),
                with(good, DnMapReported.CARRYING, " 10.77.1.1"),
                with(good, DnMapReported.CARRYING, "10.77.256.1"),
                with(good, DnMapReported.CARRYING, "localhost"),
                with(good, DnMapReported.ADDRESS, "none"),
                with(good, DnMapReported.CHANGE, "steal"),
                with(good, DnMapReported.SEQ, "ten"),
                new Event(null, good.type(), 1, null, null, null, good.attrs()));
        for (Event e : malformed) {
            esr.onMessage(EsrNode.mapMessage("dn2-host", e));
        }
        assertThat(EsrNode.mapMessage("dn2-host", new Event(null, "tunnel.dn.carrier", 1, "dn2", "standby", "carrying", Map.of())))
                .as("another type on the map channel is none of the ESR's business").isNull();
        after(Duration.ofSeconds(5));
        assertThat(table.routes).as("only dn1's first event counted").containsEntry(A, "10.3.1.2");
        assertThat(moves()).containsExactly("none>dn1:map");
        assertThat(status().map()).isEqualTo(new EsrStatus.MapCounts(1, malformed.size(), 3, 1, 2));
        esr.onMessage(EsrNode.mapMessage("dn2-host", good));
        assertThat(table.routes).as("the well-formed event from dn2's identity is taken").containsEntry(A, "10.3.2.2");
    }

    private static EsrRole.MapReport map(String dn, String publisher, long seq, String change, String address, String... carrying) {
        return new EsrRole.MapReport(publisher, new DnMapReported(1, dn, seq, change, change, address, List.of(carrying)));
    }

    private static Event with(Event e, String key, Object value) {
        Map<String, Object> attrs = new LinkedHashMap<>(e.attrs());
        attrs.put(key, value);
        return new Event(e.id(), e.type(), e.time(), e.source(), e.from(), e.to(), attrs);
    }

    private EsrStatus status() {
        try {
            return EsrStatus.from(events.stream().filter(e -> e.type().equals(TunnelEvents.ESR_STATUS.name())).reduce((a, b) -> b).orElseThrow());
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

    private void report(String dn, Integer... addresses) {
        int seq = sequences.merge(dn, 1, Integer::sum);
        esr.onMessage(new EsrRole.Report(seq, new Control.Carriers(dn, List.of(addresses))));
    }

    /** Advances virtual time in steps no longer than the role's own timer, running it when due. */
    private void after(Duration d) {
        long end = clock.millis() + d.toMillis();
        while (clock.millis() < end) {
            long step = Math.max(1, Math.min(end, esr.nextDueMillis()) - clock.millis());
            clock.advance(Duration.ofMillis(step));
            if (clock.millis() >= esr.nextDueMillis()) {
                esr.onTimer(clock.millis());
            }
        }
    }

    private List<String> moves() {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(TunnelEvents.ESR_ROUTE.name())) {
                EsrRouteChanged c = fromUnchecked(e);
                assertThat(c.address()).isEqualTo(A_TEXT);
                out.add(c.from() + ">" + c.to() + ":" + c.reason());
            }
        }
        return out;
    }

    private static EsrRouteChanged fromUnchecked(Event e) {
        try {
            return EsrRouteChanged.from(e);
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

    /** What {@code ip route} would hold; refuses every change while {@code refuse} is set. */
    private static final class Table implements ReturnRoutes {
        final Map<Integer, String> routes = new LinkedHashMap<>();
        boolean refuse;

        @Override
        public void replace(int address, String via) throws IOException {
            if (refuse) {
                throw new IOException("RTNETLINK answers: Network is unreachable");
            }
            routes.put(address, via);
        }

        @Override
        public void remove(int address) {
            routes.remove(address);
        }
    }
}
