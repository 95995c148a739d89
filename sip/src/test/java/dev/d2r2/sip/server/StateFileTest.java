package dev.d2r2.sip.server;

import dev.d2r2.core.testing.UdpExchange;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.SipMessage;
import dev.d2r2.sip.codec.SipParser;
import dev.d2r2.sip.codec.SipWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A server's registrations in its state file, and a server started from them routing a call to
 * the registered contact (real UDP sockets on loopback).
 */
class StateFileTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    @TempDir
    Path dir;

    @Test
    void aServerStartedFromAnothersFileRoutesACallToTheContactRegisteredThereAndKnowsNoneOfItsCalls() throws Exception {
        Path file = dir.resolve("state.json");
        try (DatagramSocket alice = new DatagramSocket(ANY); DatagramSocket bob = new DatagramSocket(ANY)) {
            try (SipServer source = new SipServer(ANY, 0, 0, "source", null, true); StateFile kept = StateFile.keep(file, source)) {
                InetSocketAddress at = source.address();
                exchange(alice, request("REGISTER", "sip:example.com", "alice@example.com", "reg-1", alice)
                        + "Contact: <sip:alice@127.0.0.1:" + alice.getLocalPort() + ">;expires=3600\r\n\r\n", at, alice, ok("reg-1"));
                exchange(bob, request("INVITE", "sip:service@example.com", "service@example.com", "call-1", bob) + "\r\n", at, bob, ok("call-1"));
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> StateFile.read(file).contacts().containsKey("alice@example.com"));
            }
            ServerState kept = StateFile.startWith(file);
            assertThat(kept.contacts()).containsEntry("alice@example.com", "sip:alice@127.0.0.1:" + alice.getLocalPort());
            assertThat(kept.unconfirmed()).as("the source's call is not in the file").isEmpty();

            try (SipServer clone = new SipServer(ANY, 0, 0, "clone", kept, true)) {
                InetSocketAddress at = clone.address();
                String invite = exchange(bob, request("INVITE", "sip:alice@example.com", "alice@example.com", "call-2", bob) + "\r\n",
                        at, alice, m -> m.startsWith("INVITE sip:alice@example.com"));
                SipMessage reached = parse(invite);
                assertThat(reached.all(Header.VIA)).hasSize(2).first().asString().contains("127.0.0.1:" + at.getPort());
                assertThat(reached.first(Header.MAX_FORWARDS)).isEqualTo("69");
                ByteBuffer answer = ByteBuffer.allocate(4096);
                SipWriter.answer(reached, answer, 200, "OK", "alice-tag", null);
                String back = exchange(alice, new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8), at, bob, ok("call-2"));
                assertThat(back).contains("tag=alice-tag");
                assertThat(parse(back).all(Header.VIA)).hasSize(1);
                assertThat(clone.counters()).containsKey("routed").doesNotContainKey("calls.started");

                String bye = exchange(bob, request("BYE", "sip:service@example.com", "service@example.com", "call-1", bob) + "\r\n",
                        at, bob, m -> m.contains("Call-ID: call-1"));
                assertThat(bye).startsWith("SIP/2.0 481");
            }
        }
    }

    @Test
    void withoutRoutingTheServerAnswersACallForARegisteredUserItself() throws Exception {
        try (DatagramSocket alice = new DatagramSocket(ANY); SipServer server = new SipServer(ANY, 0, 0, "plain")) {
            InetSocketAddress at = server.address();
            exchange(alice, request("REGISTER", "sip:example.com", "alice@example.com", "reg-1", alice)
                    + "Contact: <sip:alice@127.0.0.1:" + alice.getLocalPort() + ">\r\n\r\n", at, alice, ok("reg-1"));
            String answer = exchange(alice, request("INVITE", "sip:alice@example.com", "alice@example.com", "call-1", alice) + "\r\n",
                    at, alice, ok("call-1"));
            assertThat(answer).contains("Contact: <sip:server@");
        }
    }

    @Test
    void aFileThatIsNotAServerStateIsRefusedWhereItGoesWrong() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"listen\": \"x\",\n  \"bindings\": [1, 2]}");
        assertThatThrownBy(() -> StateFile.startWith(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":2:").hasMessageContaining("not a server state");
        assertThat(StateFile.startWith(dir.resolve("none.json"))).as("no file: nothing to start with").isNull();
    }

    private static String request(String method, String uri, String to, String callId, DatagramSocket from) {
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + from.getLocalPort() + ";branch=z9hG4bK-" + callId + "-" + method.toLowerCase() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bob@example.com>;tag=bob\r\n"
                + "To: <sip:" + to + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Content-Length: 0\r\n";
    }

    private static Predicate<String> ok(String callId) {
        return m -> m.startsWith("SIP/2.0 200") && m.contains("Call-ID: " + callId);
    }

    private static SipMessage parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return SipParser.datagram(bytes, 0, bytes.length);
    }

    private static String exchange(DatagramSocket socket, String message, InetSocketAddress to, DatagramSocket at, Predicate<String> awaited) {
        return UdpExchange.exchange(socket, message, to, at, awaited, Duration.ofSeconds(20));
    }
}
