package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.migrate.events.ReplicaTookOver;
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
 * Two {@code d2r2 migrate host} processes on loopback: h1 runs the SIP server and, on the
 * policy's {@code replicate}, starts a replica at h2 kept in step every 50 ms; users register and
 * a call is set up at h1 after that; h1 is killed with SIGKILL; h2 takes over: the registrations
 * are there without a REGISTER, the call set up at h1 ends at h2, and SIPp's call to a registered
 * user succeeds at h2.
 */
class ReplicaTakeoverProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);

    /** The first line of the final answer to {@code method} (an ACK gets none: null). */
    private static String request(DatagramSocket ua, InetSocketAddress server, String method, String user, String callId, int cseq)
            throws IOException {
        String text = method + " sip:" + user + "@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort()
                + ";branch=z9hG4bK" + method + System.nanoTime() + "\r\nFrom: <sip:" + (method.equals("REGISTER") ? user : "caller")
                + "@example.org>;tag=c\r\nTo: <sip:" + user + "@example.org>" + (method.equals("BYE") ? ";tag=s" : "") + "\r\nCall-ID: "
                + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nMax-Forwards: 70\r\nContact: <sip:" + user + "@127.0.0.1:"
                + ua.getLocalPort() + ">;expires=600\r\nContent-Length: 0\r\n\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, server));
        if (method.equals("ACK")) {
            return null;
        }
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

    private String stderr(String name) {
        try {
            return Files.readString(dir.resolve("stderr-" + name));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String status(int apiPort, String aor) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/status?aor=" + aor))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aReplicaKeptInStepServesAKilledSourcesRegistrationsAndCallsWithoutReRegistration() throws Exception {
        Files.writeString(dir.resolve("hosts.key"), "5e".repeat(32) + "\n");
        BearerToken.loadOrCreate(dir.resolve("api.token"));
        String token = Files.readString(dir.resolve("api.token")).strip();
        int sip = freePort();
        int replicaSip = freePort();
        int transfer2 = freePort();
        int api1 = freePort();
        int api2 = freePort();
        String common = "keyFile: hosts.key\ntokenFile: api.token\n";
        List<Event> h2Events = new CopyOnWriteArrayList<>();
        processes.migrateHost("h2", "name: h2\ntransfer: 127.0.0.1:" + transfer2 + "\napi: 127.0.0.1:" + api2 + "\n" + common
                + "arrive: 127.0.0.1:" + replicaSip + "\n", h2Events::add);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(api2, "x").contains("\"serving\":false"));
        Process h1 = processes.migrateHost("h1", "name: h1\ntransfer: 127.0.0.1:" + freePort() + "\napi: 127.0.0.1:" + api1 + "\n"
                + common + "server:\n  listen: 127.0.0.1:" + sip + "\nreplication:\n  period: 50ms\n  misses: 40\n", e -> { });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(api1, "x").contains("\"serving\":true"));

        InetSocketAddress source = new InetSocketAddress("127.0.0.1", sip);
        InetSocketAddress replica = new InetSocketAddress("127.0.0.1", replicaSip);
        try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ua.setSoTimeout(5000);
            assertThat(request(ua, source, "REGISTER", "alice", "reg-alice", 1)).isEqualTo("SIP/2.0 200 OK");
            HttpResponse<String> replicated = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + api1 + "/actions")).header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"call\":\"deploy\",\"id\":\"a1\",\"actuator\":\"migrate\",\"op\":\"replicate\","
                            + "\"target\":\"h1\",\"params\":{\"to\":\"127.0.0.1:" + transfer2 + "\"},\"expires\":1800000000000}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(replicated.statusCode()).as(replicated.body()).isEqualTo(200);

            // at h1 only, after the replica started: only the stream brings these to h2
            assertThat(request(ua, source, "REGISTER", "bob", "reg-bob", 1)).isEqualTo("SIP/2.0 200 OK");
            assertThat(request(ua, source, "INVITE", "bob", "call-at-h1", 1)).isEqualTo("SIP/2.0 200 OK");
            request(ua, source, "ACK", "bob", "call-at-h1", 1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(api2, "bob@example.org"))
                    .as(() -> stderr("h1") + stderr("h2")).contains("\"registered\":true", "\"calls\":1", "\"replicaOf\":\"h1\""));

            h1.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(20)).until(() -> h2Events.stream().anyMatch(e -> e.type().equals("migration.replica.took-over")));
            ReplicaTookOver t = ReplicaTookOver.from(h2Events.stream().filter(e -> e.type().equals("migration.replica.took-over"))
                    .findFirst().orElseThrow());
            assertThat(t.of()).isEqualTo("h1");
            assertThat(t.from()).isEqualTo("127.0.0.1:" + sip);
            assertThat(t.deltas()).isPositive();
            assertThat(h2Events).extracting(Event::type).contains("sip.edge.command");
            assertThat(status(api2, "bob@example.org")).as("no REGISTER reached h2").contains("\"registered\":true");
            assertThat(request(ua, replica, "BYE", "bob", "call-at-h1", 2)).as("the call set up at h1 is known at h2 (else 481)")
                    .isEqualTo("SIP/2.0 200 OK");
        }
        Process sipp = new ProcessBuilder("/usr/bin/sipp", "-sn", "uac", "-s", "bob", "-m", "1", "-i", "127.0.0.1", "-p",
                String.valueOf(freePort()), "-timeout", "20s", "-timeout_error", "-nostdin", "127.0.0.1:" + replicaSip)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sipp.out").toFile()).start();
        try {
            assertThat(sipp.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(sipp.exitValue()).as("SIPp's call to bob at the replica: 0 when it succeeded").isZero();
        } finally {
            sipp.destroyForcibly();
        }
    }
}
