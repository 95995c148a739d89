package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.TortureCorpusTest;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stream framing over a client's TCP connection to the edge. */
class EdgeTcpTest {
    private static byte[] options(int n) {
        return ("OPTIONS sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKt" + n
                + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=" + n + "\r\nTo: <sip:svc@example.com>\r\nCall-ID: tcp-" + n
                + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void messagesSplitAndJoinedOnTheStreamAreFramedByContentLength() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), c -> { });
             Socket client = new Socket("127.0.0.1", edge.address().getPort())) {
            OutputStream out = client.getOutputStream();
            byte[] one = options(1);
            byte[] two = options(2);
            byte[] joined = new byte[one.length + two.length];
            System.arraycopy(one, 0, joined, 0, one.length);
            System.arraycopy(two, 0, joined, one.length, two.length);
            out.write(joined);
            out.flush();
            byte[] three = options(3);
            for (int from = 0; from < three.length; from += 50) {
                out.write(three, from, Math.min(50, three.length - from));
                out.flush();
                if (from == 0) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 2);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.counters().getOrDefault("forwarded.request", 0L) == 3);
            assertThat(edge.counters()).containsEntry("received", 3L).containsEntry("tcp.accepted", 1L);
        }
    }

    @Test
    void aFramingErrorIsAnswered400AndTheConnectionClosed() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1)),
                     Duration.ofHours(1), Duration.ofMillis(300), c -> { });
             Socket client = new Socket("127.0.0.1", edge.address().getPort())) {
            client.setSoTimeout(5000);
            client.getOutputStream().write(TortureCorpusTest.read("ncl.dat"));
            InputStream in = client.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("SIP/2.0 400 ");
            assertThat(edge.counters()).containsEntry("tcp.closed_on_framing_error", 1L);
        }
    }
}
