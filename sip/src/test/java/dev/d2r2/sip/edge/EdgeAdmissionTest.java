package dev.d2r2.sip.edge;

import dev.d2r2.sip.codec.SipMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Admission control and passive failure detection, against a scripted backend on a real socket. */
class EdgeAdmissionTest {
    private final ScriptedBackends backends = new ScriptedBackends();

    @AfterEach
    void stop() throws Exception {
        backends.close();
    }

    private DatagramSocket backend(Function<SipMessage, String> answer, List<String> seen) throws Exception {
        return backends.start(answer, seen);
    }

    private static void send(DatagramSocket from, InetSocketAddress edge, String method, String callId, boolean inDialog)
            throws Exception {
        byte[] b = (method + " sip:svc@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + from.getLocalPort()
                + ";branch=z9hG4bK" + method + callId + "\r\nMax-Forwards: 70\r\nFrom: <sip:x@example.com>;tag=a\r\nTo: <sip:svc@example.com>"
                + (inDialog ? ";tag=b" : "") + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, edge));
    }

    private static String statusLine(DatagramSocket s) throws Exception {
        byte[] buf = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        String text = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf('\r'));
    }

    private static EdgeProxy edge(Backend b, List<BackendEvent> events) throws Exception {
        return new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(b), Duration.ofHours(1), Duration.ofMillis(300),
                events::add);
    }

    @Test
    void threeAnswers503InARowTakeABackendDown() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> "503 Busy", seen);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = edge(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1), events)) {
            client.setSoTimeout(5000);
            for (int i = 1; i <= 3; i++) {
                send(client, edge.address(), "INVITE", "c" + i, false);
                assertThat(statusLine(client)).isEqualTo("SIP/2.0 503 Busy");
            }
            assertThat(events).extracting(e -> e.state() + ": " + e.why()).containsExactly("down: 3 answers 503 in a row");
            send(client, edge.address(), "INVITE", "c4", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 503 Service Unavailable");
            assertThat(seen).hasSize(3);
            server.close();
        }
    }

    @Test
    void overloadFeedbackShedsNewDialogsButNeverInDialogRequests() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> "200 OK oc=100;oc-validity=60000", seen);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = edge(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1), new CopyOnWriteArrayList<>())) {
            client.setSoTimeout(5000);
            send(client, edge.address(), "INVITE", "c1", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            send(client, edge.address(), "INVITE", "c2", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 503 Service Unavailable");
            send(client, edge.address(), "BYE", "c1", true);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            assertThat(seen).containsExactly("INVITE c1", "BYE c1");
            assertThat(edge.counters()).containsEntry("admission.refused", 1L);
            server.close();
        }
    }

    @Test
    void aBackendAtItsDialogLimitGetsNoNewDialogsUntilOneEnds() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> "200 OK", seen);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = edge(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1, 1), new CopyOnWriteArrayList<>())) {
            client.setSoTimeout(5000);
            send(client, edge.address(), "INVITE", "c1", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            send(client, edge.address(), "INVITE", "c2", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 503 Service Unavailable");
            send(client, edge.address(), "BYE", "c1", true);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            send(client, edge.address(), "INVITE", "c3", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            assertThat(seen).containsExactly("INVITE c1", "BYE c1", "INVITE c3");
            server.close();
        }
    }

    @Test
    void aDialogWithoutByeEndsAfterTheDialogTimeoutAndTheDrainedBackendIsReported() throws Exception {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> "200 OK", new CopyOnWriteArrayList<>());
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = edge(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1), events)) {
            client.setSoTimeout(5000);
            send(client, edge.address(), "INVITE", "c1", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            assertThat(edge.activeDialogs()).isEqualTo(1);
            edge.drain(edge.backends().getFirst().id());
            edge.dialogTimeout(Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 0);
            assertThat(edge.counters()).containsEntry("dialogs.timed_out", 1L);
            assertThat(events).extracting(BackendEvent::state).containsExactly("draining", "drained");
            server.close();
        }
    }

    @Test
    void aDialogWhose200IsNeverAcknowledgedEndsButAnAcknowledgedOneStays() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> "200 OK", seen);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = edge(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1), new CopyOnWriteArrayList<>())) {
            client.setSoTimeout(5000);
            send(client, edge.address(), "INVITE", "flood", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            send(client, edge.address(), "INVITE", "call", false);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            send(client, edge.address(), "ACK", "call", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("ACK call"));
            assertThat(edge.activeDialogs()).isEqualTo(2);
            edge.ackTimeout(Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.activeDialogs() == 1);
            assertThat(edge.counters()).containsEntry("dialogs.unacknowledged", 1L).doesNotContainKey("dialogs.timed_out");
            send(client, edge.address(), "BYE", "call", true);
            assertThat(statusLine(client)).isEqualTo("SIP/2.0 200 OK");
            assertThat(edge.activeDialogs()).isZero();
            server.close();
        }
    }

    @Test
    void requestsLeftUnansweredTakeABackendDownBetweenProbes() throws Exception {
        List<BackendEvent> events = new CopyOnWriteArrayList<>();
        try (DatagramSocket server = backend(m -> null, new CopyOnWriteArrayList<>());
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0),
                     List.of(new Backend((InetSocketAddress) server.getLocalSocketAddress(), 1)),
                     Duration.ofMillis(200), Duration.ofMillis(100), events::add)) {
            send(client, edge.address(), "INVITE", "c1", false);
            await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
            assertThat(events.getFirst().state()).isEqualTo("down");
            assertThat(events.getFirst().why()).isEqualTo("no answer to forwarded requests for 1000 ms");
            server.close();
        }
    }
}
