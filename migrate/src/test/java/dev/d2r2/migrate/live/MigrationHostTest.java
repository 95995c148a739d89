package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.MigrationOutcome;
import dev.d2r2.sip.mobility.MobilitySubscriber;
import dev.d2r2.sip.mobility.MobilityVerifier;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

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
        return host(name, server, "127.0.0.1:0");
    }

    private MigrationHost host(String name, SipServer server, String arrive) throws Exception {
        return host(name, server, arrive, MigrationHost.DEFAULT_REPLICA_PERIOD);
    }

    private MigrationHost host(String name, SipServer server, String arrive, Duration replicaPeriod) throws Exception {
        MigrationHost h = new MigrationHost(name, server, null, arrive, KEY, new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), TOKEN, Migration.Settings.DEFAULT, Clock.system(), outcomes::add)
                .events(events::add).replication(replicaPeriod, 40);
        open.add(h);
        return h.start();
    }

    @Test
    void aServerThatArrivesAtAnotherAddressNotifiesItsSubscribersAndTellsTheEdgeToMoveItsBackend() throws Exception {
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        String before = "127.0.0.1:" + served.address().getPort();
        MigrationHost h1 = host("h1", served);
        MigrationHost h2 = host("h2", null);
        try (MobilitySubscriber ua = new MobilitySubscriber(new InetSocketAddress("127.0.0.1", 0), "follow@test")) {
            ua.subscribe(before);
            MobilityVerifier.Check first = ua.next(Duration.ofSeconds(5), false);
            assertThat(first.address()).isEqualTo(before);
            assertThat(first.notice().version()).isEqualTo(1);

            HttpResponse<String> moved = post(h1, "/migrate", TOKEN_TEXT, "{\"to\":\"127.0.0.1:" + h2.transferAddress().getPort() + "\"}");
            assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
            MobilityVerifier.Check notified = ua.next(Duration.ofSeconds(5), false);
            assertThat(notified.verdict()).isEqualTo(MobilityVerifier.Verdict.TAKEN);
            String after = notified.address();
            assertThat(after).isNotEqualTo(before);
            assertThat(notified.notice().version()).as("the subscription's CSeq moved with it").isEqualTo(2);
            assertThat(notified.notice().epoch()).isGreaterThan(first.notice().epoch());
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events).extracting(Event::type, Event::attrs)
                    .containsExactly(tuple("migration.server.arrived", Map.of("from", before, "listen", after, "notified", 1L)),
                            tuple("sip.edge.command", Map.of("op", "move", "backend", before, "address", after))));
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
        HttpResponse<String> unknown = post(h1, "/actions", TOKEN_TEXT, deploy("shrink", "h1", to));
        assertThat(unknown.statusCode()).as("4xx: refused, not retried").isEqualTo(400);
        assertThat(unknown.body()).contains("not a migration strategy: shrink");
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

    /** The first line of the server's final answer to a request of {@code method} for {@code user} in call {@code callId}. */
    private static String request(DatagramSocket ua, InetSocketAddress server, String method, String user, String callId,
                                  int cseq) throws Exception {
        send(ua, server, method, user, callId, cseq);
        byte[] buffer = new byte[8192];
        while (true) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            ua.receive(p);
            String reply = new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
            String first = reply.substring(0, reply.indexOf("\r\n"));
            if (!first.startsWith("SIP/2.0 1")) {
                return first;
            }
        }
    }

    private static void send(DatagramSocket ua, InetSocketAddress server, String method, String user, String callId, int cseq)
            throws Exception {
        String text = method + " sip:" + user + "@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort()
                + ";branch=z9hG4bK" + method + System.nanoTime() + "\r\nFrom: <sip:caller@example.org>;tag=c\r\nTo: <sip:" + user
                + "@example.org>" + (method.equals("INVITE") ? "" : ";tag=s") + "\r\nCall-ID: " + callId + "\r\nCSeq: " + cseq + " "
                + method + "\r\nMax-Forwards: 70\r\nContact: <sip:caller@127.0.0.1:" + ua.getLocalPort()
                + ">\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, server));
    }

    private static String status(MigrationHost h, String aor) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.apiAddress().getPort()
                + "/status?aor=" + aor)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aReplicaKeptInStepServesTheSourcesLaterRegistrationsCallsAndSubscribersOnceTheSourceFails() throws Exception {
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        MigrationHost h1 = host("h1", served, "127.0.0.1:0", Duration.ofMillis(50));
        MigrationHost h2 = host("h2", null);
        String source = "127.0.0.1:" + served.address().getPort();
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             MobilitySubscriber subscriber = new MobilitySubscriber(new InetSocketAddress("127.0.0.1", 0), "follow@test")) {
            ua.setSoTimeout(5000);
            assertThat(register(ua, served.address(), "alice")).isEqualTo("SIP/2.0 200 OK");
            subscriber.subscribe(source);
            assertThat(subscriber.next(Duration.ofSeconds(5), false).address()).isEqualTo(source);

            HttpResponse<String> replicated = post(h1, "/actions", TOKEN_TEXT,
                    deploy("replicate", "h1", "127.0.0.1:" + h2.transferAddress().getPort()));
            assertThat(replicated.statusCode()).as(replicated.body()).isEqualTo(200);
            String replica = replicated.body().replaceAll(".*\"replica\":\"([^\"]+)\".*", "$1");
            InetSocketAddress replicaAddress = dev.d2r2.core.HostPort.parse(replica);

            // after the replica started, at the source only: what only the stream can bring to the replica
            assertThat(register(ua, served.address(), "bob")).isEqualTo("SIP/2.0 200 OK");
            assertThat(request(ua, served.address(), "INVITE", "bob", "call-after", 1)).isEqualTo("SIP/2.0 200 OK");
            send(ua, served.address(), "ACK", "bob", "call-after", 1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(h2, "bob@example.org"))
                    .contains("\"registered\":true").contains("\"calls\":1").contains("\"replicaOf\":\"h1\""));
            assertThat(status(h1, "bob@example.org")).contains("\"replica\":\"" + replica + "\"");

            h1.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.type().equals("migration.replica.took-over")));
            MobilityVerifier.Check moved = subscriber.next(Duration.ofSeconds(5), false);
            assertThat(moved.verdict()).isEqualTo(MobilityVerifier.Verdict.TAKEN);
            assertThat(moved.address()).as("the source's subscriber follows the replica").isEqualTo(replica);
            assertThat(request(ua, replicaAddress, "BYE", "bob", "call-after", 2))
                    .as("the call set up at the source after the replica started ends at the replica (481 if unknown there)")
                    .isEqualTo("SIP/2.0 200 OK");
            assertThat(status(h2, "bob@example.org")).as("no REGISTER ever reached the replica for bob")
                    .contains("\"registered\":true");
            assertThat(request(ua, replicaAddress, "INVITE", "bob", "call-new", 1)).isEqualTo("SIP/2.0 200 OK");
            Event tookOver = events.stream().filter(e -> e.type().equals("migration.replica.took-over")).findFirst().orElseThrow();
            dev.d2r2.migrate.events.ReplicaTookOver t = dev.d2r2.migrate.events.ReplicaTookOver.from(tookOver);
            assertThat(t.of()).isEqualTo("h1");
            assertThat(t.from()).isEqualTo(source);
            assertThat(t.listen()).isEqualTo(replica);
            assertThat(t.deltas()).isPositive();
            assertThat(t.notified()).isEqualTo(1);
            assertThat(events).extracting(Event::type, Event::attrs).contains(
                    tuple("sip.edge.command", Map.of("op", "remove", "backend", source)));
        }
    }

    @Test
    void aReplicaWhoseSourceMovedAwayDoesNotTakeOver() throws Exception {
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        MigrationHost h1 = host("h1", served, "127.0.0.1:0", Duration.ofMillis(50));
        MigrationHost h2 = host("h2", null);
        MigrationHost h3 = host("h3", null);
        assertThat(post(h1, "/actions", TOKEN_TEXT, deploy("replicate", "h1", "127.0.0.1:" + h2.transferAddress().getPort()))
                .statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(h2, "x@example.org")).contains("\"replicaDeltas\""));
        HttpResponse<String> moved = post(h1, "/migrate", TOKEN_TEXT, "{\"to\":\"127.0.0.1:" + h3.transferAddress().getPort() + "\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(h2, "x@example.org"))
                .as("the stream ended on purpose").doesNotContain("replicaOf"));
        assertThat(events).extracting(Event::type).doesNotContain("migration.replica.took-over");
    }

    /** The first line of the server's answer to a REGISTER of {@code user}. */
    private static String register(DatagramSocket ua, InetSocketAddress server, String user) throws Exception {
        String text = "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort() + ";branch=z9hG4bKr" + user
                + System.nanoTime() + "\r\nFrom: <sip:" + user + "@example.org>;tag=a\r\nTo: <sip:" + user + "@example.org>\r\nCall-ID: reg-"
                + user + System.nanoTime() + "\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\nContact: <sip:" + user
                + "@127.0.0.1>;expires=600\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, server));
        byte[] buffer = new byte[8192];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        ua.receive(p);
        String reply = new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
        return reply.substring(0, reply.indexOf("\r\n"));
    }

    @Test
    void replicateStartsAReplicaOnTheSpareFromTheLiveStateBesideTheServerThatKeepsServing() throws Exception {
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        MigrationHost h1 = host("h1", served);
        MigrationHost h2 = host("h2", null);
        MigrationHost bare = host("h3", null, null);
        String source = "127.0.0.1:" + served.address().getPort();
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(5000);
            assertThat(register(ua, served.address(), "alice")).isEqualTo("SIP/2.0 200 OK");

            HttpResponse<String> noArrive = post(h1, "/actions", TOKEN_TEXT,
                    deploy("replicate", "h1", "127.0.0.1:" + bare.transferAddress().getPort()));
            assertThat(noArrive.statusCode()).as("failed: the engine retries").isEqualTo(502);
            assertThat(noArrive.body()).contains("h3 has no arrive address for a replica");

            HttpResponse<String> replicated = post(h1, "/actions", TOKEN_TEXT,
                    deploy("replicate", "h1", "127.0.0.1:" + h2.transferAddress().getPort()));
            assertThat(replicated.statusCode()).as(replicated.body()).isEqualTo(200);
            String replica = replicated.body().replaceAll(".*\"replica\":\"([^\"]+)\".*", "$1");
            assertThat(replica).isNotEqualTo(source).startsWith("127.0.0.1:");
            assertThat(replicated.body()).contains("\"registrations\":1");

            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h2.apiAddress().getPort()
                    + "/status?aor=alice@example.org")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .as("the replica started from the live state").contains("\"registered\":true").contains("\"listen\":\"" + replica + "\"");
            assertThat(register(ua, served.address(), "bob")).as("the source keeps serving").isEqualTo("SIP/2.0 200 OK");
            assertThat(register(ua, dev.d2r2.core.HostPort.parse(replica), "carol")).as("the replica serves")
                    .isEqualTo("SIP/2.0 200 OK");
            assertThat(events).extracting(Event::type, Event::attrs)
                    .containsExactly(tuple("sip.edge.command", Map.of("op", "add", "address", replica, "weight", 1.0)));
            assertThat(outcomes).as("nothing moved").isEmpty();

            HttpResponse<String> again = post(h1, "/actions", TOKEN_TEXT,
                    deploy("replicate", "h1", "127.0.0.1:" + h2.transferAddress().getPort()));
            assertThat(again.statusCode()).isEqualTo(502);
            assertThat(again.body()).contains("h1 keeps a replica in step already, at " + replica);
        }
    }
}
