package dev.d2r2.tunnel.node;

import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.tunnel.events.EsrRouteChanged;
import dev.d2r2.tunnel.events.EsrStatus;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.TunnelKey;
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
    private static final EsrConfig CONFIG = new EsrConfig("esr1", 901, "tunnel.key", null,
            List.of(new EsrConfig.Hop("dn1", "10.3.1.2"), new EsrConfig.Hop("dn2", "10.3.2.2")), Duration.ofSeconds(1), Duration.ofSeconds(5));

    private final ManualClock clock = new ManualClock(1_000_000);
    private final Table table = new Table();
    private final List<Event> events = new ArrayList<>();
    private final EsrRole esr = new EsrRole(CONFIG, table, clock, events::add);
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
        assertThat(status).isEqualTo(new EsrStatus(status.time(), "esr1", 0, 1, 1, 2, 1, 1, 0));
        assertThat(moves()).as("the stale report (the replay of a release) did not remove the route until dn1 fell silent")
                .containsExactly("none>dn1:report", "dn1>none:unclaimed");
    }

    @Test
    void theReportFrameIsCheckedBeforeTheRoleSeesIt() {
        TunnelKey key = new TunnelKey(new byte[32]);
        ByteBuffer buf = ByteBuffer.allocate(2048);
        int n = Control.write(new Control.Carriers("dn1", List.of(A)), buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, 901, 7, n, key.macFor(901));
        assertThat(EsrNode.parse(buf.duplicate(), 901, key.macFor(901))).isEqualTo(new EsrRole.Report(7, new Control.Carriers("dn1", List.of(A))));
        assertThat(EsrNode.parse(buf.duplicate(), 902, key.macFor(902))).isEqualTo(Drop.UNKNOWN_TUNNEL);
        assertThat(EsrNode.parse(buf.duplicate(), 901, otherKey().macFor(901))).isEqualTo(Drop.UNAUTHENTICATED);
        assertThat(EsrNode.parse(ByteBuffer.wrap(new byte[]{1, 2, 3}), 901, key.macFor(901))).isEqualTo(Drop.MALFORMED);

        buf.clear();
        n = Control.write(new Control.Hello(true, 0), buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, 901, 8, n, key.macFor(901));
        assertThat(EsrNode.parse(buf, 901, key.macFor(901))).as("authenticated, but not a report").isEqualTo(Drop.MALFORMED);
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

    private static TunnelKey otherKey() {
        byte[] master = new byte[32];
        master[0] = 1;
        return new TunnelKey(master);
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
