package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Connections that fail the TLS handshake, over real sockets: plain text, a TLS 1.2 client, a
 * peer that hangs up at once. Each is counted by reason in
 * {@code d2r2_broker_tls_handshake_failures_total}, nothing else is, and the broker serves the
 * next client as before.
 */
class TlsHandshakeRefusalTest {
    @TempDir
    Path dir;
    private Broker broker;
    private BrokerServer server;
    private IdentityFile admin;

    @BeforeEach
    void start() throws Exception {
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        admin = IdentityFile.load(broker.adminIdentityPath());
    }

    @AfterEach
    void stop() {
        server.close();
        broker.close();
    }

    @Test
    void plainTextIsCountedAsNotTls() throws Exception {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: broker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The broker ends the connection: the read sees its end (or a reset).
            try {
                s.getInputStream().readAllBytes();
            } catch (IOException reset) {
                // as good as an end
            }
        }
        awaitCounted("not_tls");
        assertServes();
    }

    @Test
    void aTls12ClientIsCountedAsProtocolVersion() throws Exception {
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        tls12.init(null, new TrustManager[]{new TrustAnything()}, new SecureRandom());
        try (Socket plain = connect();
             SSLSocket s = (SSLSocket) tls12.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true)) {
            s.setEnabledProtocols(new String[]{"TLSv1.2"});
            assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
        awaitCounted("protocol_version");
        assertServes();
    }

    @Test
    void aPeerHangingUpBeforeTheHandshakeIsCountedAsClosed() throws Exception {
        connect().close();
        awaitCounted("closed");
        assertServes();
    }

    private Socket connect() throws IOException {
        return new Socket(server.address().getAddress(), server.address().getPort());
    }

    private void awaitCounted(String reason) {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.metrics().tlsHandshakeFailures(reason) == 1);
        for (String other : new String[]{"not_tls", "protocol_version", "no_common_cipher", "certificate", "closed", "other"}) {
            if (!other.equals(reason)) {
                assertThat(broker.metrics().tlsHandshakeFailures(other)).as(other).isZero();
            }
        }
    }

    /** The broker still authenticates a client and takes its event. */
    private void assertServes() throws Exception {
        try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
            c.createChannel(new ChannelSpec("alive", ChannelClass.DEFAULT,
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            try (Publisher p = c.publisher("alive")) {
                p.awaitAcknowledged(p.publish(Event.message("still-here", 1, "s", Map.of())), Duration.ofSeconds(30));
            }
        }
    }

    /** A client that trusts any certificate: the handshake fails on the protocol, not on trust. */
    private static final class TrustAnything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
