package dev.d2r2.sip.edge;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The kernel's drops at a full UDP socket, read from /proc for one bound address, on real sockets. */
class UdpDropsTest {
    @Test
    void addressesAreWrittenAsTheKernelsTablesWriteThem() throws Exception {
        assertThat(UdpDrops.procAddress(new InetSocketAddress("127.0.0.1", 5060))).isEqualTo("0100007F:13C4");
        assertThat(UdpDrops.procAddress(new InetSocketAddress("0.0.0.0", 80))).isEqualTo("00000000:0050");
        assertThat(UdpDrops.procAddress(new InetSocketAddress(InetAddress.getByName("::1"), 5060)))
                .isEqualTo("00000000000000000000000001000000:13C4");
    }

    @Test
    void aSocketNobodyReadsCountsTheDatagramsItCouldNotHoldAndAnotherCountsNone() throws Exception {
        try (DatagramChannel full = DatagramChannel.open();
             DatagramChannel other = DatagramChannel.open();
             DatagramChannel sender = DatagramChannel.open()) {
            full.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress at = (InetSocketAddress) full.getLocalAddress();
            assertThat(UdpDrops.at(at)).isZero();
            int sent = 200;
            for (int i = 0; i < sent; i++) {
                sender.send(ByteBuffer.allocate(1000), at);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> UdpDrops.at(at) > 0);
            assertThat(UdpDrops.at(at)).isLessThan(sent);
            assertThat(UdpDrops.at((InetSocketAddress) other.getLocalAddress())).isZero();
        }
    }

    @Test
    void theEdgeExportsItsSocketsDrops() throws Exception {
        try (DatagramChannel backend = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalAddress(), 1)), Duration.ofHours(1), Duration.ofMillis(300),
                     c -> { })) {
            PrometheusRegistry registry = new PrometheusRegistry();
            edge.registerMetrics(registry);
            assertThat(edge.udpReceiveDrops()).isZero();
            assertThat(registry.scrape().stream().filter(m -> m.getMetadata().getName().equals("d2r2_edge_udp_receive_drops"))
                    .flatMap(m -> m.getDataPoints().stream())
                    .mapToDouble(d -> ((CounterSnapshot.CounterDataPointSnapshot) d).getValue())).containsExactly(0.0);
        }
    }
}
