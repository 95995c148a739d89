package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.MigrationOutcome;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Two migration hosts on loopback, driven through their HTTP API as the policy engine's webhook actuator calls it. */
class MigrationHostTest {
    private static final byte[] KEY = "a 32-byte key for these tests!!!".getBytes(StandardCharsets.US_ASCII);
    private static final String TOKEN_TEXT = "0123456789abcdef0123";
    private static final BearerToken TOKEN = BearerToken.of(TOKEN_TEXT);
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<MigrationOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private MigrationHost host(String name, SipServer server) throws Exception {
        MigrationHost h = new MigrationHost(name, server, null, "127.0.0.1:0", KEY, new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), TOKEN, Migration.Settings.DEFAULT, Clock.system(), outcomes::add)
                .events(events::add);
        open.add(h);
        return h.start();
    }

    /** What {@code ua} receives next, as text. */
    private static String receive(DatagramSocket ua) throws Exception {
        byte[] buffer = new byte[8192];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        ua.receive(p);
        return new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void aServerThatArrivesAtAnotherAddressNotifiesItsSubscribersAndTellsTheEdgeToMoveItsBackend() throws Exception {
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        String before = "127.0.0.1:" + served.address().getPort();
        MigrationHost h1 = host("h1", served);
        MigrationHost h2 = host("h2", null);
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(5000);
            String self = "127.0.0.1:" + ua.getLocalPort();
            byte[] subscribe = ("SUBSCRIBE sip:server@" + before + " SIP/2.0\r\nVia: SIP/2.0/UDP " + self + ";branch=z9hG4bKs1\r\n"
                    + "From: <sip:ua@" + self + ">;tag=ua1\r\nTo: <sip:server@" + before + ">\r\nCall-ID: follow@test\r\n"
                    + "CSeq: 1 SUBSCRIBE\r\nContact: <sip:ua@" + self + ">\r\nMax-Forwards: 70\r\nEvent: server-mobility\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            ua.send(new DatagramPacket(subscribe, subscribe.length, served.address()));
            assertThat(receive(ua)).startsWith("SIP/2.0 200 OK").contains("Expires: 3600");
            assertThat(receive(ua)).startsWith("NOTIFY sip:ua@" + self).contains("CSeq: 1 NOTIFY").endsWith("sip:server@" + before + "\r\n");

            HttpResponse<String> moved = post(h1, "/migrate", TOKEN_TEXT, "{\"to\":\"127.0.0.1:" + h2.transferAddress().getPort() + "\"}");
            assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
            String notify = receive(ua);
            String after = notify.substring(notify.lastIndexOf("sip:server@") + "sip:server@".length()).strip();
            assertThat(after).isNotEqualTo(before);
            assertThat(notify).startsWith("NOTIFY sip:ua@" + self).contains("CSeq: 2 NOTIFY", "Subscription-State: active;expires=");
            assertThat(events).extracting(Event::type, Event::attrs).containsExactly(
                    tuple("migration.server.arrived", Map.of("from", before, "listen", after, "notified", 1L)),
                    tuple("sip.edge.command", Map.of("op", "move", "backend", before, "address", after)));
        }
    }

    private static HttpResponse<String> post(MigrationHost h, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.apiAddress().getPort() + path))
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String deploy(String op, String target, String to) {
        return "{\"call\":\"deploy\",\"id\":\"a1\",\"actuator\":\"migrate\",\"op\":\"" + op + "\",\"target\":\"" + target
                + "\",\"params\":{\"to\":\"" + to + "\"},\"expires\":1800000000000}";
    }

    @Test
    void theWebhookActuatorsDeployMovesTheServerAndEverythingElseIsAnsweredAsThePolicyEngineExpects() throws Exception {
        MigrationHost h1 = host("h1", new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        MigrationHost h2 = host("h2", null);
        String to = "127.0.0.1:" + h2.transferAddress().getPort();

        assertThat(post(h1, "/actions", null, deploy("migrate-live", "h1", to)).statusCode()).isEqualTo(401);
        assertThat(post(h1, "/actions", "wrong-token-0123456789", deploy("migrate-live", "h1", to)).statusCode()).isEqualTo(401);
        assertThat(post(h1, "/actions", TOKEN_TEXT, "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> notBuilt = post(h1, "/actions", TOKEN_TEXT, deploy("replicate", "h1", to));
        assertThat(notBuilt.statusCode()).as("4xx: refused, not retried").isEqualTo(400);
        assertThat(notBuilt.body()).contains("not built yet: replicate");
        HttpResponse<String> elsewhere = post(h1, "/actions", TOKEN_TEXT, deploy("restore-snapshot", "h1", to));
        assertThat(elsewhere.statusCode()).as("a restore meant for the spare").isEqualTo(400);
        assertThat(elsewhere.body()).contains("restore-snapshot goes to " + to + ", not to h1");
        assertThat(post(h1, "/actions", TOKEN_TEXT, deploy("migrate-live", "h9", to)).statusCode())
                .as("another host's action").isEqualTo(400);

        HttpResponse<String> moved = post(h1, "/actions", TOKEN_TEXT, deploy("migrate-live", "h1", to));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(moved.body()).contains("\"outcome\":\"moved\"");
        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.report().moved()).isTrue());

        HttpResponse<String> again = post(h1, "/actions", TOKEN_TEXT, deploy("migrate-live", "h1", to));
        assertThat(again.statusCode()).as("nothing left to move: failed, so the engine would retry").isEqualTo(502);
        assertThat(again.body()).contains("no server runs on h1");
        assertThat(post(h1, "/actions", TOKEN_TEXT, "{\"call\":\"revoke\",\"id\":\"a1\",\"op\":\"migrate-live\",\"target\":\"h1\"}")
                .statusCode()).isEqualTo(200);
    }
}
