package dev.d2r2.broker.client;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The copies a replica could not pass on to a peer that is down are metered by that peer's address. */
class ForwardingLinksMetricsTest {

    @TempDir
    Path dir;

    @Test
    void copiesForAReplicaThatIsDownAreCountedAsLostUnderItsAddress() throws Exception {
        IdentityFile peer;
        try (Broker down = Broker.open(dir.resolve("down"), Clock.system());
             BrokerServer server = BrokerServer.start(down, new InetSocketAddress("127.0.0.1", 0))) {
            peer = IdentityFile.load(down.adminIdentityPath());
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        try (ForwardingLinks links = ForwardingLinks.start(List.of(peer), ForwardingReplicas.SETTINGS)) {
            links.meter(registry);
            for (int i = 0; i < 3; i++) {
                links.forward("paths", new byte[] {1, 2, 3});
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> lost(registry, peer.broker()) == 3);
            assertThat(links.lost()).isEqualTo(3);
            assertThat(links.sent()).isZero();
        }
    }

    private static double lost(PrometheusRegistry registry, String replica) {
        CounterSnapshot lost = (CounterSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("d2r2_broker_forwarded_lost")).findFirst().orElseThrow();
        return lost.getDataPoints().stream().filter(d -> d.getLabels().get("replica").equals(replica))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }
}
