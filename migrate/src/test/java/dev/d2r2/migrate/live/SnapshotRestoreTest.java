package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.SnapshotRestored;
import dev.d2r2.migrate.events.SnapshotTaken;
import dev.d2r2.migrate.snapshot.SnapshotStore;
import dev.d2r2.sip.mobility.MobilitySubscriber;
import dev.d2r2.sip.mobility.MobilityVerifier;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Two migration hosts on loopback: h1 serves and sends a snapshot of its server to h2, the keeper,
 * every 50 ms; h1 goes away; the policy's restore-snapshot, sent to h2, starts h2's server from the
 * newest valid snapshot, and the AORs registered at h1 are registered there.
 */
class SnapshotRestoreTest {
    private static final byte[] KEY = "a 32-byte key for these tests!!!".getBytes(StandardCharsets.US_ASCII);
    private static final String TOKEN_TEXT = "0123456789abcdef0123";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private MigrationHost host(String name, SipServer server, byte[] key) throws Exception {
        return host(name, server, key, "127.0.0.1:0");
    }

    private MigrationHost host(String name, SipServer server, byte[] key, String arrive) throws Exception {
        MigrationHost h = new MigrationHost(name, server, null, arrive, key, new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), BearerToken.of(TOKEN_TEXT), Migration.Settings.DEFAULT, Clock.system(), o -> { });
        open.add(h);
        return h;
    }

    private static HttpResponse<String> send(MigrationHost h, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.apiAddress().getPort() + path))
                .header("Authorization", "Bearer " + TOKEN_TEXT);
        b = json == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String restoreAction(String target, String to) {
        return "{\"call\":\"deploy\",\"id\":\"a1\",\"actuator\":\"migrate\",\"op\":\"restore-snapshot\",\"target\":\"" + target
                + "\",\"params\":{\"to\":\"" + to + "\"},\"expires\":1800000000000}";
    }

    private String register(DatagramSocket ua, InetSocketAddress server, String user) throws Exception {
        String text = "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort() + ";branch=z9hG4bKr" + user
                + "\r\nFrom: <sip:" + user + "@example.org>;tag=a\r\nTo: <sip:" + user + "@example.org>\r\nCall-ID: reg-" + user
                + "\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\nContact: <sip:" + user + "@127.0.0.1>;expires=600\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, server));
        byte[] buffer = new byte[8192];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        ua.receive(p);
        String reply = new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
        return reply.substring(0, reply.indexOf("\r\n"));
    }

    private static long registrationsIn(Event taken) {
        try {
            return SnapshotTaken.from(taken).registrations();
        } catch (dev.d2r2.core.EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aServerRestoredAtAnotherAddressTellsItsSubscribersAndTheEdgeWhereItIs() throws Exception {
        MigrationHost h2 = host("h2", null, KEY).snapshots(new SnapshotStore(dir.resolve("kept"), 3), null, null).events(events::add)
                .start();
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        String before = "127.0.0.1:" + served.address().getPort();
        List<Event> taken = new CopyOnWriteArrayList<>();
        MigrationHost h1 = host("h1", served, KEY).snapshots(null, h2.transferAddress(), Duration.ofMillis(50)).events(taken::add)
                .start();
        try (MobilitySubscriber ua = new MobilitySubscriber(new InetSocketAddress("127.0.0.1", 0), "kept@test")) {
            ua.subscribe(before);
            MobilityVerifier.Check first = ua.next(Duration.ofSeconds(5), false);
            assertThat(first.address()).isEqualTo(before);
            await().atMost(Duration.ofSeconds(5)).until(() -> served.subscriptions() == 1);
            long subscribed = System.currentTimeMillis();
            // the second snapshot stored after the subscription was read after it: snapshots go one at a time
            await().atMost(Duration.ofSeconds(10)).until(() -> taken.stream().filter(e -> e.time() > subscribed).count() >= 2);
            h1.close();
            open.remove(h1);

            HttpResponse<String> restored = send(h2, "/restore", "{\"of\":\"h1\"}");
            assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
            String after = send(h2, "/status", null).body().replaceAll(".*\"listen\":\"([^\"]+)\".*", "$1");
            assertThat(after).isNotEqualTo(before);
            MobilityVerifier.Check restoredAt = ua.next(Duration.ofSeconds(5), false);
            assertThat(restoredAt.verdict()).isEqualTo(MobilityVerifier.Verdict.TAKEN);
            assertThat(restoredAt.address()).isEqualTo(after);
            assertThat(restoredAt.notice().epoch()).as("a later epoch than the server it was a snapshot of")
                    .isGreaterThan(first.notice().epoch());
            assertThat(events).filteredOn(e -> !e.type().startsWith("migration.snapshot")).extracting(Event::type, Event::attrs)
                    .containsExactly(tuple("migration.server.arrived", Map.of("from", before, "listen", after, "notified", 1L)),
                            tuple("sip.edge.command", Map.of("op", "move", "backend", before, "address", after)));
        }
    }

    /** The seed's network × crash: the snapshot started at another site, the clients redirected to it. */
    @Test
    void redirectStartsTheSnapshotAtTheSparesOwnAddressAndMovesTheClientsThere() throws Exception {
        MigrationHost h2 = host("h2", null, KEY).snapshots(new SnapshotStore(dir.resolve("kept"), 3), null, null).events(events::add)
                .start();
        MigrationHost stay = host("h3", null, KEY, null).snapshots(new SnapshotStore(dir.resolve("kept3"), 3), null, null).start();
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        String before = "127.0.0.1:" + served.address().getPort();
        List<Event> taken = new CopyOnWriteArrayList<>();
        MigrationHost h1 = host("h1", served, KEY).snapshots(null, h2.transferAddress(), Duration.ofMillis(50)).events(taken::add)
                .start();
        try (MobilitySubscriber ua = new MobilitySubscriber(new InetSocketAddress("127.0.0.1", 0), "redirected@test")) {
            ua.subscribe(before);
            assertThat(ua.next(Duration.ofSeconds(5), false).address()).isEqualTo(before);
            await().atMost(Duration.ofSeconds(5)).until(() -> served.subscriptions() == 1);
            long subscribed = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(10)).until(() -> taken.stream().filter(e -> e.time() > subscribed).count() >= 2);
            h1.close();
            open.remove(h1);

            HttpResponse<String> noArrive = send(stay, "/actions", redirectAction("h1", "h3"));
            assertThat(noArrive.statusCode()).isEqualTo(409);
            assertThat(noArrive.body()).contains("h3 has no arrive address to redirect the clients to");
            HttpResponse<String> elsewhere = send(stay, "/actions", redirectAction("h1", "h2"));
            assertThat(elsewhere.statusCode()).as("carried out by the host params.to names").isEqualTo(400);
            assertThat(elsewhere.body()).contains("redirect goes to h2, not to h3");

            HttpResponse<String> redirected = send(h2, "/actions", redirectAction("h1", "h2"));
            assertThat(redirected.statusCode()).as(redirected.body()).isEqualTo(200);
            String after = send(h2, "/status", null).body().replaceAll(".*\"listen\":\"([^\"]+)\".*", "$1");
            assertThat(after).isNotEqualTo(before);
            MobilityVerifier.Check redirectedTo = ua.next(Duration.ofSeconds(5), false);
            assertThat(redirectedTo.verdict()).isEqualTo(MobilityVerifier.Verdict.TAKEN);
            assertThat(redirectedTo.address()).isEqualTo(after);
            assertThat(events).filteredOn(e -> !e.type().startsWith("migration.snapshot")).extracting(Event::type, Event::attrs)
                    .containsExactly(tuple("migration.server.arrived", Map.of("from", before, "listen", after, "notified", 1L)),
                            tuple("sip.edge.command", Map.of("op", "move", "backend", before, "address", after)));
            assertThat(send(h2, "/actions", redirectAction("h1", "h2")).statusCode()).as("it already serves").isEqualTo(409);
        }
    }

    private static String redirectAction(String target, String to) {
        return restoreAction(target, to).replace("restore-snapshot", "redirect");
    }

    @Test
    void aServerSnapshottedToItsKeeperIsRestoredThereWithItsRegistrationsAfterItsHostIsGone() throws Exception {
        SnapshotStore store = new SnapshotStore(dir.resolve("kept"), 3);
        MigrationHost h2 = host("h2", null, KEY).snapshots(store, null, null).events(events::add).start();
        SipServer served = new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0);
        MigrationHost h1 = host("h1", served, KEY).snapshots(null, h2.transferAddress(), Duration.ofMillis(50)).events(events::add).start();

        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(3000);
            for (String user : List.of("alice", "bob", "carol")) {
                assertThat(register(ua, served.address(), user)).isEqualTo("SIP/2.0 200 OK");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().filter(e -> e.type().equals("migration.snapshot.taken"))
                .anyMatch(e -> registrationsIn(e) == 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.files("h1").size() == 3);

        h1.close();
        open.remove(h1);
        assertThat(send(h2, "/status?aor=alice@example.org", null).body()).contains("\"serving\":false");

        String h2Transfer = "127.0.0.1:" + h2.transferAddress().getPort();
        HttpResponse<String> restored = send(h2, "/actions", restoreAction("h1", h2Transfer));
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertThat(restored.body()).contains("\"restored\":true", "\"registrations\":3", "\"refused\":0");

        String status = send(h2, "/status?aor=alice@example.org", null).body();
        assertThat(status).contains("\"serving\":true", "\"registrations\":3", "\"registered\":true");
        assertThat(send(h2, "/status?aor=nobody@example.org", null).body()).contains("\"registered\":false");
        assertThat(events).filteredOn(e -> e.type().equals("migration.snapshot.restored")).singleElement()
                .satisfies(e -> assertThat(SnapshotRestored.from(e)).extracting(SnapshotRestored::of, SnapshotRestored::registrations)
                        .containsExactly("h1", 3L));

        String listen = status.replaceAll(".*\"listen\":\"([^\"]+)\".*", "$1");
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(3000);
            assertThat(register(ua, dev.d2r2.core.HostPort.parse(listen), "dave")).as("the restored server serves SIP")
                    .isEqualTo("SIP/2.0 200 OK");
        }
        HttpResponse<String> again = send(h2, "/restore", "{\"of\":\"h1\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("h2 already runs a server");
    }

    @Test
    void aCorruptNewestSnapshotIsRefusedAndTheOneBeforeIsRestored() throws Exception {
        SnapshotStore store = new SnapshotStore(dir.resolve("kept"), 3);
        store.put("h1", 1000, Migration.write(new dev.d2r2.sip.server.ServerState("127.0.0.1:0", 0, 0,
                java.util.Map.of("alice@example.org", Long.MAX_VALUE), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(),
                java.util.Map.of(), java.util.Map.of(), 0, java.util.Map.of())));
        Path newest = store.put("h1", 2000, Migration.write(new dev.d2r2.sip.server.ServerState("127.0.0.1:0", 0, 0,
                java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), 0, java.util.Map.of())));
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        MigrationHost h2 = host("h2", null, KEY).snapshots(store, null, null).events(events::add).start();

        HttpResponse<String> r = send(h2, "/restore", "{\"of\":\"h1\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"takenAt\":1000", "\"refused\":1");
        assertThat(send(h2, "/status?aor=alice@example.org", null).body()).contains("\"registered\":true");
    }

    @Test
    void aKeeperRefusesASnapshotUnderAnotherKeyAndStoresNothing() throws Exception {
        SnapshotStore store = new SnapshotStore(dir.resolve("kept"), 3);
        MigrationHost h2 = host("h2", null, KEY).snapshots(store, null, null).events(events::add).start();
        byte[] otherKey = "another 32-byte key for tests!!!".getBytes(StandardCharsets.US_ASCII);
        host("h1", new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0), otherKey)
                .snapshots(null, h2.transferAddress(), Duration.ofMillis(20)).events(events::add).start();
        // a host with the right key on the same schedule: once h2 kept three of its snapshots, h1 has tried as often
        host("h3", new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0), KEY)
                .snapshots(null, h2.transferAddress(), Duration.ofMillis(20)).events(events::add).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.files("h3").size() == 3);

        assertThat(store.files("h1")).isEmpty();
        assertThat(events).filteredOn(e -> e.type().equals("migration.snapshot.taken")).isNotEmpty()
                .allMatch(e -> e.source().equals("h3"));
        HttpResponse<String> none = send(h2, "/restore", "{\"of\":\"h1\"}");
        assertThat(none.statusCode()).isEqualTo(409);
        assertThat(none.body()).contains("no valid snapshot of h1 on h2");
        assertThat(send(h2, "/restore", "{\"of\":\"../x\"}").body()).contains("not a host name");
    }
}
