package dev.d2r2.sip.edge;

import dev.d2r2.core.ManualClock;
import dev.d2r2.sip.codec.SipParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What clients' TCP connections may hold of the edge: connection caps, the idle timeout, buffers grown only for a message that needs it. */
class EdgeTcpLimitsTest {
    private static EdgeProxy edge(DatagramSocket backend, ManualClock clock) throws IOException {
        List<Backend> backends = List.of(new Backend((InetSocketAddress) backend.getLocalSocketAddress(), 1));
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        return clock == null ? new EdgeProxy(listen, backends, Duration.ofHours(1), Duration.ofMillis(300), c -> { })
                : new EdgeProxy(listen, backends, Duration.ofHours(1), Duration.ofMillis(300), c -> { }, clock, 1);
    }

    private static DatagramSocket backend() throws IOException {
        return new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    private static Socket connect(EdgeProxy edge, String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", edge.address().getPort()), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    /** True when the edge closed {@code s}: its stream ends (or is reset) before anything is read. */
    private static boolean closedByEdge(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketException e) {
            return true;
        }
    }

    private static long counter(EdgeProxy edge, String name) {
        return edge.counters().getOrDefault(name, 0L);
    }

    @Test
    void aSourceBeyondItsConnectionLimitIsRefusedWhileOthersAreNot() throws Exception {
        List<Socket> open = new ArrayList<>();
        try (DatagramSocket backend = backend(); EdgeProxy edge = edge(backend, null)) {
            edge.tcpLimits(new TcpLimits(100, 3, Duration.ofHours(1), TcpLimits.DEFAULTS.bufferMemoryBytes()));
            for (int i = 0; i < 3; i++) {
                open.add(connect(edge, "127.0.0.1"));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 3);
            try (Socket fourth = connect(edge, "127.0.0.1")) {
                assertThat(closedByEdge(fourth)).isTrue();
            }
            assertThat(counter(edge, "tcp.refused.per_source")).isEqualTo(1);
            open.add(connect(edge, "127.0.0.2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 4);

            open.removeFirst().close();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 3);
            open.add(connect(edge, "127.0.0.1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 4);
            assertThat(counter(edge, "tcp.refused.per_source")).isEqualTo(1);
            assertThat(counter(edge, "tcp.accepted")).isEqualTo(5);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheTotalLimitAreRefusedWhateverTheirSource() throws Exception {
        List<Socket> open = new ArrayList<>();
        try (DatagramSocket backend = backend(); EdgeProxy edge = edge(backend, null)) {
            edge.tcpLimits(new TcpLimits(2, 10, Duration.ofHours(1), TcpLimits.DEFAULTS.bufferMemoryBytes()));
            open.add(connect(edge, "127.0.0.1"));
            open.add(connect(edge, "127.0.0.2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 2);
            try (Socket third = connect(edge, "127.0.0.3")) {
                assertThat(closedByEdge(third)).isTrue();
            }
            assertThat(counter(edge, "tcp.refused.connections")).isEqualTo(1);
            assertThat(edge.tcpConnections()).isEqualTo(2);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aConnectionIdleForTheLimitIsClosedOnTheEdgesClockAndAKeepAliveKeepsOneOpen() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        try (DatagramSocket backend = backend(); EdgeProxy edge = edge(backend, clock);
             Socket quiet = connect(edge, "127.0.0.1"); Socket talker = connect(edge, "127.0.0.1")) {
            edge.tcpLimits(new TcpLimits(100, 10, Duration.ofMillis(300), TcpLimits.DEFAULTS.bufferMemoryBytes()));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 2);
            clock.advance(Duration.ofMillis(200));
            OutputStream out = talker.getOutputStream();
            out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = talker.getInputStream();
            assertThat(new String(in.readNBytes(2), StandardCharsets.US_ASCII)).as("RFC 5626 pong").isEqualTo("\r\n");

            clock.advance(Duration.ofMillis(150));
            assertThat(closedByEdge(quiet)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 1);
            assertThat(counter(edge, "tcp.closed_idle")).isEqualTo(1);

            clock.advance(Duration.ofMillis(150));
            assertThat(closedByEdge(talker)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 0);
            assertThat(edge.counters()).containsEntry("tcp.closed_idle", 2L).doesNotContainKey("tcp.errors");
        }
    }

    private static byte[] head(String callId, int contentLength) {
        return ("OPTIONS sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=1\r\nTo: <sip:svc@example.com>\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\nContent-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void partsOfLargeMessagesOnManyConnectionsCannotTakeMoreThanTheBufferMemory() throws Exception {
        try (DatagramSocket backend = backend(); EdgeProxy edge = edge(backend, null);
             Socket second = connect(edge, "127.0.0.2")) {
            edge.tcpLimits(new TcpLimits(100, 10, Duration.ofHours(1), TcpTransport.MAX_READ_BYTES));
            byte[] largest = "x".repeat(SipParser.MAX_MESSAGE).getBytes(StandardCharsets.US_ASCII);
            try (Socket first = connect(edge, "127.0.0.1")) {
                OutputStream out = first.getOutputStream();
                out.write(head("first", largest.length));
                out.write(largest, 0, largest.length - 1);
                out.flush();
                await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpReadBufferBytes()
                        == TcpTransport.MAX_READ_BYTES + TcpTransport.FIRST_READ_BYTES);
                second.getOutputStream().write(head("second", largest.length));
                second.getOutputStream().write(largest, 0, 20_000);
                second.getOutputStream().flush();
                assertThat(closedByEdge(second)).isTrue();
                assertThat(counter(edge, "tcp.closed_on_buffer_memory")).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 0);
            assertThat(edge.tcpReadBufferBytes()).isZero();
            try (Socket third = connect(edge, "127.0.0.3")) {
                third.getOutputStream().write(head("third", 30_000));
                third.getOutputStream().write(largest, 0, 30_000);
                third.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(5)).until(() -> counter(edge, "forwarded.request") == 1);
            }
            assertThat(counter(edge, "tcp.closed_on_buffer_memory")).isEqualTo(1);
        }
    }

    @Test
    void aLargeMessageGrowsItsConnectionsReadBufferWhichShrinksBackOnceItIsHandled() throws Exception {
        try (DatagramSocket backend = backend(); EdgeProxy edge = edge(backend, null); Socket client = connect(edge, "127.0.0.1")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpConnections() == 1);
            assertThat(edge.tcpReadBufferBytes()).isEqualTo(TcpTransport.FIRST_READ_BYTES);
            byte[] body = "x".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
            byte[] head = head("big", body.length);
            OutputStream out = client.getOutputStream();
            out.write(head);
            out.write(body, 0, 10_000);
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpReadBufferBytes() >= 16_384);
            out.write(body, 10_000, body.length - 10_000);
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> counter(edge, "forwarded.request") == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.tcpReadBufferBytes() == TcpTransport.FIRST_READ_BYTES);
        }
    }
}
