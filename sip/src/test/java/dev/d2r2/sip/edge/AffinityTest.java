package dev.d2r2.sip.edge;

import org.junit.jupiter.api.AfterEach;
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

/** The affinity keys other than the Call-ID, through a live edge. */
class AffinityTest {
    private final ScriptedBackends servers = new ScriptedBackends();

    @AfterEach
    void stop() throws Exception {
        servers.close();
    }

    private static void send(DatagramSocket from, InetSocketAddress edge, String method, String user, String callId) throws Exception {
        byte[] b = (method + " sip:" + user + "@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + from.getLocalPort()
                + ";branch=z9hG4bK" + callId + "\r\nMax-Forwards: 70\r\nFrom: <sip:caller@example.com>;tag=a\r\nTo: <sip:" + user
                + "@example.com>\r\nCall-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        from.send(new DatagramPacket(b, b.length, edge));
    }

    private static String reply(DatagramSocket s) throws Exception {
        byte[] buf = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        String text = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf('\r'));
    }

    @Test
    void byRequestUriUserARegisterAndTheCallsToItsUserReachOneBackend() throws Exception {
        List<String> one = new CopyOnWriteArrayList<>();
        List<String> two = new CopyOnWriteArrayList<>();
        try (DatagramSocket a = servers.start(m -> "200 OK", one);
             DatagramSocket b = servers.start(m -> "200 OK", two);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                     new Backend((InetSocketAddress) a.getLocalSocketAddress(), 1),
                     new Backend((InetSocketAddress) b.getLocalSocketAddress(), 1)), Duration.ofHours(1), Duration.ofMillis(300), e -> { })) {
            edge.affinity(Affinity.RURI_USER);
            for (int u = 0; u < 20; u++) {
                send(client, edge.address(), "REGISTER", "user" + u, "reg-" + u);
                send(client, edge.address(), "INVITE", "user" + u, "inv-" + u);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> one.size() + two.size() == 40);
            for (int u = 0; u < 20; u++) {
                boolean regOnOne = one.contains("REGISTER reg-" + u);
                assertThat(regOnOne ? one : two).as("user" + u).contains("INVITE inv-" + u);
            }
            assertThat(one).isNotEmpty();
            assertThat(two).isNotEmpty();
        }
    }

    @Test
    void byLeastDialogsNewCallsGoWhereTheFewestAreActive() throws Exception {
        List<String> one = new CopyOnWriteArrayList<>();
        List<String> two = new CopyOnWriteArrayList<>();
        try (DatagramSocket a = servers.start(m -> "200 OK", one);
             DatagramSocket b = servers.start(m -> "200 OK", two);
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(
                     new Backend((InetSocketAddress) a.getLocalSocketAddress(), 1),
                     new Backend((InetSocketAddress) b.getLocalSocketAddress(), 2)), Duration.ofHours(1), Duration.ofMillis(300), e -> { })) {
            edge.affinity(Affinity.LEAST_DIALOGS);
            client.setSoTimeout(5000);
            for (int i = 0; i < 9; i++) {
                send(client, edge.address(), "INVITE", "bob", "c" + i);
                assertThat(reply(client)).isEqualTo("SIP/2.0 200 OK");
            }
            assertThat(one).hasSize(3);
            assertThat(two).hasSize(6);
        }
    }
}
