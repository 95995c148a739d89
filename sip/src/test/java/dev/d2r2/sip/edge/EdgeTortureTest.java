package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.TortureCorpusTest;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipChecks;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.Verdict;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The torture corpus through a live edge on a real socket: bad requests answered with their
 * status, bad messages dropped and counted, good requests forwarded to the backend well formed
 * (they parse and pass the checks again), with the edge's Via on top and Max-Forwards counted down.
 */
class EdgeTortureTest {

    @Test
    void everyTortureMessageIsAnsweredDroppedOrForwardedIntactOverUdp() throws Exception {
        List<String[]> rows = Files.readAllLines(Path.of("src/test/resources/sip-torture/MANIFEST.tsv")).stream().skip(1)
                .map(l -> l.split("\t")).toList();
        try (DatagramSocket backend = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             DatagramSocket client = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), c -> { })) {
            backend.setSoTimeout(150);
            client.setSoTimeout(150);
            String edgeId = "127.0.0.1:" + edge.address().getPort();
            for (String[] row : rows) {
                byte[] msg = TortureCorpusTest.read(row[0]);
                Verdict expected = SipChecks.check(SipParser.datagram(msg, 0, msg.length));
                long before = edge.counters().getOrDefault("received", 0L);
                client.send(new DatagramPacket(msg, msg.length, edge.address()));
                await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("received", 0L) > before);
                switch (expected.kind()) {
                    case RESPOND -> assertThat(receive(client)).as(row[0]).startsWith("SIP/2.0 " + expected.status() + " ");
                    case DROP -> assertThat(receive(client)).as(row[0]).isNull();
                    case FORWARD -> {
                        SipMessage original = SipParser.datagram(msg, 0, msg.length);
                        if (!original.isRequest()) {
                            assertThat(forwarded(backend)).as(row[0] + ": a response not for us is dropped").isNull();
                            continue;
                        }
                        String out = forwarded(backend);
                        assertThat(out).as(row[0]).isNotNull();
                        byte[] b = out.getBytes(StandardCharsets.ISO_8859_1);
                        SipMessage forwarded = SipParser.datagram(b, 0, b.length);
                        assertThat(SipChecks.check(forwarded).kind()).as(row[0] + "\n" + out).isEqualTo(Verdict.Kind.FORWARD);
                        assertThat(forwarded.requestUri()).isEqualTo(original.requestUri());
                        assertThat(forwarded.all(Header.VIA).getFirst()).startsWith("SIP/2.0/UDP " + edgeId + ";branch=z9hG4bK");
                        assertThat(forwarded.all(Header.VIA)).hasSize(original.all(Header.VIA).size() + 1);
                        String mf = original.first(Header.MAX_FORWARDS);
                        assertThat(forwarded.first(Header.MAX_FORWARDS)).isEqualTo(
                                Integer.toString(mf == null ? 70 : Integer.parseInt(mf) - 1));
                        assertThat(forwarded.body()).isEqualTo(original.body());
                    }
                }
            }
            assertThat(edge.counters()).containsKeys("answered.400", "answered.416", "answered.420", "answered.483",
                    "answered.505", "dropped.start_line", "dropped.cseq", "dropped.not_our_via").doesNotContainKey("errors");
        }
    }

    /** The next datagram the backend gets that is not one of the edge's probes. */
    private static String forwarded(DatagramSocket backend) throws Exception {
        String m;
        do {
            m = receive(backend);
        } while (m != null && m.contains("Call-ID: d2r2probe-"));
        return m;
    }

    /** The next datagram as text (ISO-8859-1 keeps every byte), or null when none comes within the socket's timeout. */
    private static String receive(DatagramSocket s) throws Exception {
        byte[] buf = new byte[70_000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
    }
}
