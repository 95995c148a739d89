package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Live migration between two SIP servers on loopback, over a real TCP connection (no address moves here). */
class MigrationTest {
    private static final byte[] KEY = "a 32-byte key for these tests!!!".getBytes(StandardCharsets.US_ASCII);
    private final List<AutoCloseable> open = new ArrayList<>();
    private DatagramSocket ua;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private String request(InetSocketAddress server, String method, String callId, String extra) throws IOException {
        if (ua == null) {
            ua = keep(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
            ua.setSoTimeout(3000);
        }
        String text = method + " sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort() + ";branch=z9hG4bK"
                + method + callId + "\r\nFrom: <sip:alice@example.org>;tag=a\r\nTo: <sip:" + callId + "@example.org>\r\nCall-ID: " + callId
                + "\r\nCSeq: 1 " + method + "\r\nMax-Forwards: 70\r\n" + extra + "Content-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, server));
        if (method.equals("ACK")) {
            return "";
        }
        byte[] buffer = new byte[8192];
        while (true) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            ua.receive(p);
            String reply = new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
            if (reply.contains("Call-ID: " + callId) && !reply.startsWith("SIP/2.0 1")) {
                return reply.substring(0, reply.indexOf("\r\n"));
            }
        }
    }

    private void call(InetSocketAddress server, String callId) throws IOException {
        assertThat(request(server, "INVITE", callId, "Contact: <sip:alice@127.0.0.1>\r\n")).isEqualTo("SIP/2.0 200 OK");
        request(server, "ACK", callId, "");
    }

    private record Target(ServerSocket listener, CompletableFuture<MigrationTarget.Arrival> arrival) {
    }

    private Target target(byte[] key) throws IOException {
        ServerSocket listener = keep(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        CompletableFuture<MigrationTarget.Arrival> arrival = CompletableFuture.supplyAsync(() -> {
            try {
                return new MigrationTarget(null, "127.0.0.1:0").receive(SecureChannel.accept(listener.accept(), key));
            } catch (IOException e) {
                return new MigrationTarget.Arrival(null, e.toString());
            }
        });
        return new Target(listener, arrival);
    }

    @Test
    void registrationsAndEstablishedCallsArriveAndTheTargetEndsThem() throws Exception {
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 7));
        for (int i = 0; i < 20; i++) {
            assertThat(request(source.address(), "REGISTER", "user" + i, "Contact: <sip:u@127.0.0.1>;expires=600\r\n"))
                    .isEqualTo("SIP/2.0 200 OK");
        }
        for (int i = 0; i < 5; i++) {
            call(source.address(), "call" + i);
        }
        assertThat(request(source.address(), "BYE", "call0", "")).isEqualTo("SIP/2.0 200 OK");
        Target t = target(KEY);
        MigrationReport report = new MigrationSource(source, null, KEY, Migration.Settings.DEFAULT, Clock.system())
                .migrateTo((InetSocketAddress) t.listener().getLocalSocketAddress());
        assertThat(report.outcome()).as(report.reason()).isEqualTo(MigrationReport.MOVED);
        SipServer moved = keep(t.arrival().get().server());
        assertThat(moved.registrations()).isEqualTo(20);
        assertThat(moved.activeCalls()).isEqualTo(4);
        assertThat(moved.state().maxCalls()).as("configuration moves too").isEqualTo(7);
        assertThat(request(moved.address(), "BYE", "call3", "")).as("a call set up at the source ends at the target")
                .isEqualTo("SIP/2.0 200 OK");
        assertThat(request(moved.address(), "BYE", "call0", "")).as("a retransmitted BYE of a call ended before")
                .isEqualTo("SIP/2.0 200 OK");
        assertThat(request(moved.address(), "BYE", "never", "")).isEqualTo("SIP/2.0 481 Call/Transaction Does Not Exist");
        assertThat(source.counters()).doesNotContainKey("calls.ended.replica");
    }

    @Test
    void aTargetThatDiesBeforeItIsReadyLeavesTheSourceServing() throws Exception {
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        call(source.address(), "before");
        ServerSocket listener = keep(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        CompletableFuture<Void> dies = CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept(); SecureChannel c = SecureChannel.accept(s, KEY)) {
                c.receive(); // the state, then the target host dies
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        MigrationReport report = new MigrationSource(source, null, KEY, Migration.Settings.DEFAULT, Clock.system())
                .migrateTo((InetSocketAddress) listener.getLocalSocketAddress());
        dies.get();
        assertThat(report.outcome()).isEqualTo(MigrationReport.ABORTED);
        assertThat(request(source.address(), "BYE", "before", "")).as("the source still serves its calls").isEqualTo("SIP/2.0 200 OK");
        call(source.address(), "after");
    }

    @Test
    void aTargetCutOffSilentlyBeforeItIsReadyTimesOutAndTheSourceServesAgain() throws Exception {
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        call(source.address(), "before");
        ServerSocket listener = keep(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        CompletableFuture<Void> silent = CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept(); SecureChannel c = SecureChannel.accept(s, KEY)) {
                while (c.receive().type() != Migration.FINAL) {
                    // the state and the deltas; then nothing more comes back, as across a cut link
                }
                c.setTimeout(30_000);
                c.receive(); // until the source gives up and closes
            } catch (IOException e) {
                // the source closed the connection
            }
        });
        var settings = new Migration.Settings(8, 32, Duration.ofMillis(20), Duration.ofMillis(500));
        MigrationReport report = new MigrationSource(source, null, KEY, settings, Clock.system())
                .migrateTo((InetSocketAddress) listener.getLocalSocketAddress());
        silent.get();
        assertThat(report.outcome()).isEqualTo(MigrationReport.ABORTED);
        assertThat(report.reason()).contains("the target failed before it was ready");
        assertThat(request(source.address(), "BYE", "before", "")).as("the source serves its calls again").isEqualTo("SIP/2.0 200 OK");
    }

    @Test
    void aTargetThatDiesAfterGoIsUnconfirmedAndTheSourceNeverResumes() throws Exception {
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        call(source.address(), "before");
        ServerSocket listener = keep(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        CompletableFuture<Void> dies = CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept(); SecureChannel c = SecureChannel.accept(s, KEY)) {
                while (c.receive().type() != Migration.FINAL) {
                    // the state and the deltas
                }
                c.send(Migration.READY, new byte[0]);
                assertThat(c.receive().type()).isEqualTo(Migration.GO); // then the target host dies before DONE
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        MigrationReport report = new MigrationSource(source, null, KEY, Migration.Settings.DEFAULT, Clock.system())
                .migrateTo((InetSocketAddress) listener.getLocalSocketAddress());
        dies.get();
        assertThat(report.outcome()).isEqualTo(MigrationReport.UNCONFIRMED);
        assertThat(report.reason()).contains("the target did not confirm");
        ua.setSoTimeout(500);
        assertThatThrownBy(() -> request(source.address(), "BYE", "before", ""))
                .as("after GO the source never serves again: at most one live copy").isInstanceOf(SocketTimeoutException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> source.counters().getOrDefault("paused", 0L) == 1);
    }

    @Test
    void aTargetWithAnotherKeyGetsNothingAndTheSourceGoesOn() throws Exception {
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        call(source.address(), "kept");
        Target t = target("another key, another operator...".getBytes(StandardCharsets.US_ASCII));
        MigrationReport report = new MigrationSource(source, null, KEY, Migration.Settings.DEFAULT, Clock.system())
                .migrateTo((InetSocketAddress) t.listener().getLocalSocketAddress());
        MigrationTarget.Arrival arrival = t.arrival().get();
        assertThat(arrival.server()).isNull();
        assertThat(arrival.reason()).contains("not authentic");
        assertThat(report.outcome()).isEqualTo(MigrationReport.ABORTED);
        assertThat(request(source.address(), "BYE", "kept", "")).isEqualTo("SIP/2.0 200 OK");
    }
}
