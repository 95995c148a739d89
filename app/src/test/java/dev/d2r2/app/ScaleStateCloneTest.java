package dev.d2r2.app;

import dev.d2r2.core.HostPort;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.core.testing.UdpExchange;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;
import dev.d2r2.sip.server.StateFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A clone starts with its source's registrations (docs/scaling.md, the snapshot phase): real
 * {@code d2r2 sip-server} processes with {@code --state} and {@code --route-registered} in
 * namespaces under the process driver, behind a real edge. A user agent registers at the source
 * only; once the scaler has cloned the source into the other cloud, an INVITE for that user sent
 * to the clone reaches the user's contact, and its 200 comes back through the clone. The
 * source's call is not the clone's: a BYE for it there gets 481.
 */
class ScaleStateCloneTest {
    private static final String PREFIX = "hsst-";
    private static final String HOST = "10.97.91.1";
    private static final String ALICE = "alice@example.com";
    @TempDir
    Path dir;
    private ScaleRig rig;

    private ScaleConfig config() throws Exception {
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home: { subnet: 10.97.91.0/24, capacity: 1 }
                  remote: { subnet: 10.97.92.0/24, capacity: 2 }
                types:
                  sip:
                    template:
                      command: [%s]
                      port: 5060
                      cpu: 1
                    cloud: home
                    min: 1
                    max: 2
                    metrics:
                      active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                    target: { metric: active_calls, per-instance: 500 }
                    scale-down: { below: 1, for: 1h }
                """.formatted(ScaleRig.sipServer("--state", "state.json", "--route-registered")));
    }

    @BeforeEach
    void setUp() {
        Peers.require(Path.of("/usr/bin/ip"), "iproute2");
        ProcessDriver.cleanup(PREFIX);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aCloneServesACallToAUserRegisteredOnlyOnItsSourceAndNotTheSourcesDialogs() throws Exception {
        rig = ScaleRig.start(config(), PREFIX, HOST, dir);
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMillis(200), null);
        try (ScalerRole scaler = rig.scaler(options, e -> { });
             DatagramSocket alice = new DatagramSocket(new InetSocketAddress(HOST, 0));
             DatagramSocket caller = new DatagramSocket(new InetSocketAddress(HOST, 0))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> rig.serving().size() == 1);
            InetSocketAddress source = address(rig.serving().getFirst());

            String registered = exchange(alice, request("REGISTER", "sip:example.com", ALICE, "reg-1", alice)
                    + "Contact: <sip:alice@" + HOST + ":" + alice.getLocalPort() + ">;expires=3600\r\n\r\n", source, answer(200, "reg-1"));
            assertThat(registered).contains("Contact: <sip:alice@" + HOST + ":" + alice.getLocalPort() + ">");
            exchange(caller, request("INVITE", "sip:service@" + source.getHostString(), "service@" + source.getHostString(), "call-1", caller)
                    + "\r\n", source, answer(200, "call-1"));
            Path sourceState = dir.resolve("work/instances/" + rig.serving().getFirst().instance() + "/state.json");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> StateFile.read(sourceState).contacts().containsKey(ALICE));

            scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
            await().atMost(Duration.ofSeconds(90)).until(() -> rig.serving().size() == 2);
            InstanceChange clone = rig.serving().getLast();
            assertThat(clone.cloud()).isEqualTo("remote");
            InetSocketAddress cloned = address(clone);

            String invite = request("INVITE", "sip:" + ALICE, ALICE, "call-2", caller) + "\r\n";
            String reached = exchange(caller, invite, cloned, alice, m -> m.startsWith("INVITE sip:" + ALICE) && m.contains("call-2"));
            SipMessage atAlice = parse(reached);
            assertThat(atAlice.all(Header.VIA)).as("the clone routed it, its Via on top").hasSize(2)
                    .first().asString().contains(cloned.getHostString() + ":" + cloned.getPort());
            ByteBuffer ok = ByteBuffer.allocate(4096);
            SipWriter.answer(atAlice, ok, 200, "OK", "alice-tag", "Contact: <sip:alice@" + HOST + ":" + alice.getLocalPort() + ">");
            String answered = exchange(alice, new String(ok.array(), 0, ok.position(), StandardCharsets.UTF_8),
                    Hop.ofVia(atAlice.all(Header.VIA).getFirst()), caller, answer(200, "call-2"));
            assertThat(parse(answered).all(Header.VIA)).as("the clone took its Via off").hasSize(1);
            assertThat(answered).contains("tag=alice-tag");

            String bye = exchange(caller, request("BYE", "sip:service@" + source.getHostString(), "service@" + source.getHostString(),
                    "call-1", caller) + "\r\n", cloned, m -> m.startsWith("SIP/2.0 ") && m.contains("call-1"));
            assertThat(bye).as("the source's call stayed with the source").startsWith("SIP/2.0 481");
        }
    }

    private static InetSocketAddress address(InstanceChange c) {
        return HostPort.parse(c.address());
    }

    private static String request(String method, String uri, String to, String callId, DatagramSocket from) {
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + HOST + ":" + from.getLocalPort() + ";branch=z9hG4bK-" + callId + "-" + method.toLowerCase() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bob@example.com>;tag=bob\r\n"
                + "To: <sip:" + to + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Content-Length: 0\r\n";
    }

    private static Predicate<String> answer(int status, String callId) {
        return m -> m.startsWith("SIP/2.0 " + status) && m.contains("Call-ID: " + callId);
    }

    private static SipMessage parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return SipParser.datagram(bytes, 0, bytes.length);
    }

    private static String exchange(DatagramSocket socket, String message, InetSocketAddress to, Predicate<String> awaited) {
        return exchange(socket, message, to, socket, awaited);
    }

    private static String exchange(DatagramSocket socket, String message, InetSocketAddress to, DatagramSocket at,
                                   Predicate<String> awaited) {
        return UdpExchange.exchange(socket, message, to, at, awaited, Duration.ofSeconds(30));
    }
}
