package dev.d2r2.sip.edge;

import dev.d2r2.core.Event;
import dev.d2r2.sip.events.SipEvents;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The edge's traffic and heaviest sources as events, from real datagrams. */
class EdgeTelemetryTest {
    private static void send(DatagramSocket from, InetSocketAddress edge, String method, int n) throws Exception {
        byte[] b = (method + " sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/UDP " + from.getLocalAddress().getHostAddress() + ":"
                + from.getLocalPort() + ";branch=z9hG4bK" + method + n + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=" + n
                + "\r\nTo: <sip:svc@example.com>\r\nCall-ID: t-" + method + n + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, edge));
    }

    @Test
    void trafficByMethodAndTheHeaviestSourcesArePublishedEveryWindow() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket heavy = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
             DatagramSocket light = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), c -> { })) {
            edge.startTelemetry(Duration.ofMillis(100), events::add);
            var registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
            edge.registerMetrics(registry);
            InetSocketAddress at = edge.address();
            for (int i = 0; i < 60; i++) {
                send(heavy, at, "INVITE", i);
                if (i % 10 == 0) {
                    send(light, at, "OPTIONS", i);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 66);
            await().atMost(Duration.ofSeconds(5)).until(() -> events.stream()
                    .filter(e -> SipEvents.EDGE_SOURCE.matches(e.type())).map(Event::source).distinct().count() == 2);
            double heavyInvites = events.stream().filter(e -> SipEvents.EDGE_SOURCE.matches(e.type()) && e.source().equals("127.0.0.2"))
                    .mapToDouble(e -> ((Number) e.attrs().get("invite_rate")).doubleValue()).sum();
            double lightInvites = events.stream().filter(e -> SipEvents.EDGE_SOURCE.matches(e.type()) && e.source().equals("127.0.0.3"))
                    .mapToDouble(e -> ((Number) e.attrs().get("invite_rate")).doubleValue()).sum();
            assertThat(heavyInvites).isPositive();
            assertThat(lightInvites).isZero();
            double invites = events.stream().filter(e -> SipEvents.EDGE_TRAFFIC.matches(e.type()))
                    .mapToDouble(e -> ((Number) e.attrs().get("in.INVITE")).doubleValue()).sum();
            double options = events.stream().filter(e -> SipEvents.EDGE_TRAFFIC.matches(e.type()))
                    .mapToDouble(e -> ((Number) e.attrs().get("in.OPTIONS")).doubleValue()).sum();
            assertThat(invites).isGreaterThan(options);
            assertThat(events).filteredOn(e -> SipEvents.SOURCE_RATE.matches(e.type()))
                    .singleElement().satisfies(e -> assertThat(e.attrs()).containsEntry("src", "127.0.0.2"));
            var scraped = registry.scrape();
            double forwarded = scraped.stream().filter(m -> m.getMetadata().getName().equals("d2r2_edge_messages"))
                    .flatMap(m -> m.getDataPoints().stream())
                    .filter(d -> "forwarded.request".equals(d.getLabels().get("outcome")))
                    .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                    .sum();
            assertThat(forwarded).isEqualTo(66);
            long handled = scraped.stream().filter(m -> m.getMetadata().getName().equals("d2r2_edge_handling_seconds"))
                    .flatMap(m -> m.getDataPoints().stream())
                    .mapToLong(d -> ((io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot) d).getCount())
                    .sum();
            assertThat(handled).isGreaterThanOrEqualTo(66);
            assertThat(scraped.stream().map(m -> m.getMetadata().getName()))
                    .contains("d2r2_edge_invite_rate", "d2r2_edge_ingress_rate", "d2r2_edge_egress_rate", "d2r2_edge_suspect_sources");
            assertThat(events).filteredOn(e -> SipEvents.EDGE_TRAFFIC.matches(e.type()))
                    .allSatisfy(e -> assertThat(e.attrs()).containsKeys("in", "out", "out.2xx", "dropped", "dialogs", "sources"))
                    .allSatisfy(e -> assertThat(((Number) e.attrs().get("sources")).longValue()).isLessThanOrEqualTo(2));
        }
    }
}
