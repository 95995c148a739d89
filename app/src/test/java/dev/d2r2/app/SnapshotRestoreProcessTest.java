package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.SnapshotTaken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.D2r2Processes.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two {@code d2r2 migrate host} processes on loopback: h1 runs the SIP server and sends a snapshot
 * to h2 every 100 ms; an AOR registers at h1; h1 is killed with SIGKILL; {@code d2r2 migrate
 * restore} makes h2 serve from the newest snapshot, where the AOR is registered and REGISTER is
 * answered on the server's old address.
 */
class SnapshotRestoreProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);

    private static String register(InetSocketAddress server, String user) throws IOException {
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(3000);
            String text = "REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort() + ";branch=z9hG4bKp" + user
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
    }

    private static String status(int apiPort, String aor) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/status?aor=" + aor))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aKilledServersRegistrationsAreServedByTheHostThatKeptItsSnapshot() throws Exception {
        Files.writeString(dir.resolve("hosts.key"), "5d".repeat(32) + "\n");
        BearerToken.loadOrCreate(dir.resolve("api.token"));
        int sip = freePort();
        int transfer2 = freePort();
        int api1 = freePort();
        int api2 = freePort();
        String common = "keyFile: hosts.key\ntokenFile: api.token\n";
        processes.migrateHost("h2", "name: h2\ntransfer: 127.0.0.1:" + transfer2 + "\napi: 127.0.0.1:" + api2 + "\n" + common
                + "snapshots:\n  dir: kept\n  keep: 3\n", event -> { });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(api2, "x").contains("\"serving\":false"));
        List<Event> h1Events = new CopyOnWriteArrayList<>();
        Process h1 = processes.migrateHost("h1", "name: h1\ntransfer: 127.0.0.1:" + freePort() + "\napi: 127.0.0.1:" + api1 + "\n" + common
                + "server:\n  listen: 127.0.0.1:" + sip + "\nsnapshots:\n  keeper: 127.0.0.1:" + transfer2 + "\n  period: 100ms\n", h1Events::add);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(api1, "x").contains("\"serving\":true"));

        InetSocketAddress server = new InetSocketAddress("127.0.0.1", sip);
        assertThat(register(server, "alice")).isEqualTo("SIP/2.0 200 OK");
        await().atMost(Duration.ofSeconds(10)).until(() -> h1Events.stream()
                .filter(e -> e.type().equals("migration.snapshot.taken"))
                .anyMatch(e -> ((Number) e.attrs().get(SnapshotTaken.REGISTRATIONS)).longValue() == 1));
        h1.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        Process restore = processes.start("restore", "migrate", "restore", "--api", "127.0.0.1:" + api2, "--token-file",
                dir.resolve("api.token").toString(), "--of", "h1");
        String report = new String(restore.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(restore.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(restore.exitValue()).as(report).isZero();
        assertThat(report).contains("\"restored\":true", "\"of\":\"h1\"", "\"registrations\":1");

        assertThat(status(api2, "alice@example.org")).contains("\"serving\":true", "\"registered\":true");
        assertThat(status(api2, "bob@example.org")).contains("\"registered\":false");
        assertThat(register(server, "bob")).as("h2 serves on the server's address").isEqualTo("SIP/2.0 200 OK");
        try (var files = Files.list(dir.resolve("kept").resolve("h1"))) {
            assertThat(files.count()).as("the last 3 kept").isBetween(1L, 3L);
        }
    }
}
