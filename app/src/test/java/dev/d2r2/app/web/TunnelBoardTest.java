package dev.d2r2.app.web;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.EnDnChanged;
import dev.d2r2.tunnel.events.PathEvents;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.TunnelEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The dashboard's tunnels view, from the tunnel roles' events, without a browser. */
class TunnelBoardTest {
    @TempDir
    Path dir;

    @Test
    void anEnsFailoverMovesItsDnCarriersAndRouteAndCountsTheFailover() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             Observatory o = new Observatory(broker.connectLocal(Broker.ADMIN), List.of())) {
            TunnelFixture.connected(o, 1_000);
            assertThat(o.tunnels()).singleElement().satisfies(t -> {
                assertThat(t.dn()).isEqualTo("dn1");
                assertThat(t.carriers()).containsExactly("dn1");
                assertThat(t.route().dn()).isEqualTo("dn1");
                assertThat(t.failovers()).isZero();
            });

            TunnelFixture.failover(o, 2_000);
            TunnelBoard.Tunnel t = o.tunnels().getFirst();
            assertThat(t.name()).isEqualTo("en1");
            assertThat(t.tunnel()).isEqualTo(1L);
            assertThat(t.address()).isEqualTo(TunnelFixture.ADDRESS);
            assertThat(t.dn()).isEqualTo("dn2");
            assertThat(t.reason()).isEqualTo("failover");
            assertThat(t.failovers()).isEqualTo(1);
            assertThat(t.sessions()).extracting(TunnelBoard.Session::dn, TunnelBoard.Session::state)
                    .containsExactly(tuple("dn1", "down"), tuple("dn2", "up"));
            assertThat(t.carriers()).as("dn1 died without saying so: both still claim it").containsExactly("dn1", "dn2");
            assertThat(t.route().dn()).isEqualTo("dn2");
            assertThat(t.route().via()).isEqualTo("10.3.2.2");
            assertThat(o.timeline(0, 100)).filteredOn(e -> e.type().equals(TunnelEvents.EN_DN.name()))
                    .extracting(Observatory.Entry::lane, Observatory.Entry::to)
                    .containsExactly(tuple("tunnels", "dn1"), tuple("tunnels", "dn2"));
            assertThat(o.timeline(0, 100)).as("scores are not on the lanes")
                    .noneMatch(e -> e.type().equals(PathEvents.SCORED.name()));
        }
    }

    @Test
    void pathScoresShowTheActivePathAndASwitchMovesIt() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             Observatory o = new Observatory(broker.connectLocal(Broker.ADMIN), List.of())) {
            TunnelFixture.connected(o, 1_000);
            assertThat(o.tunnels().getFirst().paths()).extracting(TunnelBoard.Path::path, TunnelBoard.Path::active)
                    .containsExactly(tuple("p1", true), tuple("p2", false));

            TunnelFixture.p1Lossy(o, 3_000);
            TunnelBoard.Tunnel t = o.tunnels().getFirst();
            assertThat(t.path()).isEqualTo("p2");
            assertThat(t.peer()).isEqualTo("dn2");
            assertThat(t.switches()).isEqualTo(2);
            assertThat(t.paths()).filteredOn(TunnelBoard.Path::active).singleElement()
                    .satisfies(p -> assertThat(p.path()).isEqualTo("p2"));
            assertThat(t.paths()).filteredOn(p -> p.path().equals("p1")).singleElement()
                    .satisfies(p -> assertThat(p.loss()).isEqualTo(0.2));
        }
    }

    @Test
    void aMalformedTunnelEventIsCountedAndChangesNothing() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             Observatory o = new Observatory(broker.connectLocal(Broker.ADMIN), List.of())) {
            TunnelFixture.connected(o, 1_000);
            o.accept(TunnelFixture.CHANNEL, new Event("t@9", TunnelEvents.EN_DN.name(), 2_000, "en1", "dn1", "dn2",
                    Map.of(EnDnChanged.REASON, EnDnChanged.FAILOVER)));
            o.accept(TunnelFixture.CHANNEL, new Event("t@10", PathEvents.SCORED.name(), 2_000, "en1", null, null, Map.of(PathScored.PATH, "p1")));
            assertThat(o.malformed()).isEqualTo(2);
            assertThat(o.tunnels().getFirst().dn()).isEqualTo("dn1");
            assertThat(o.tunnels().getFirst().failovers()).isZero();
            assertThat(o.timeline(0, 100)).noneMatch(e -> "t@9".equals(e.id()));
        }
    }
}
