package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.sip.edge.Backend;
import dev.d2r2.sip.edge.EdgeProxy;
import dev.d2r2.sip.edge.EdgeRole;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.D2r2Processes.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redirection (b) with the real CLI: two {@code d2r2 migrate host} processes on loopback, h2 with
 * {@code arrive} at another port. A user agent subscribed to the server's {@code server-mobility}
 * package and a call set up through an edge are there when {@code d2r2 migrate move} moves the
 * server: the user agent gets a NOTIFY of the new address, h2 prints the edge's {@code move}
 * command, which, published on the edge's command channel, moves the edge's backend, and the call
 * ends at the new address.
 */
class MigrateArriveProcessTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);

    private static String status(int apiPort) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/status"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void send(DatagramSocket ua, InetSocketAddress to, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ua.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** The next message to {@code ua} whose first line starts with {@code start}. */
    private static String receive(DatagramSocket ua, String start) throws IOException {
        byte[] buffer = new byte[8192];
        while (true) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            ua.receive(p);
            String text = new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII);
            if (text.startsWith(start)) {
                return text;
            }
        }
    }

    private static String request(String method, String uri, String self, String callId, String toTag, int cseq, String extra) {
        return method + " " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP " + self + ";branch=z9hG4bK" + method + cseq + callId.hashCode()
                + "\r\nFrom: <sip:ua@" + self + ">;tag=ua\r\nTo: <" + uri + ">" + toTag + "\r\nCall-ID: " + callId + "\r\nCSeq: "
                + cseq + " " + method + "\r\nContact: <sip:ua@" + self + ">\r\nMax-Forwards: 70\r\n" + extra + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void theSubscriberAndTheEdgeFollowTheServerToItsNewAddress() throws Exception {
        Files.writeString(dir.resolve("hosts.key"), "6e".repeat(32) + "\n");
        BearerToken.loadOrCreate(dir.resolve("api.token"));
        int before = freePort();
        int after = freePort();
        int transfer2 = freePort();
        int api1 = freePort();
        int api2 = freePort();
        String common = "keyFile: hosts.key\ntokenFile: api.token\n";
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("edge", "edge-commands")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            Publisher commands = admin.publisher("edge-commands");
            List<Event> h2Events = new java.util.concurrent.CopyOnWriteArrayList<>();
            processes.migrateHost("h2", "name: h2\ntransfer: 127.0.0.1:" + transfer2 + "\napi: 127.0.0.1:" + api2 + "\n" + common
                    + "arrive: 127.0.0.1:" + after + "\n", e -> {
                h2Events.add(e);
                commands.publish(e);
            });
            processes.migrateHost("h1", "name: h1\ntransfer: 127.0.0.1:" + freePort() + "\napi: 127.0.0.1:" + api1 + "\n" + common
                    + "server:\n  listen: 127.0.0.1:" + before + "\n", e -> {
            });
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> status(api2).contains("\"serving\":false")
                    && status(api1).contains("\"serving\":true"));

            InetSocketAddress server = new InetSocketAddress("127.0.0.1", before);
            try (EdgeProxy edge = new EdgeProxy(new InetSocketAddress("127.0.0.1", 0), List.of(new Backend(server, 1)),
                    Duration.ofHours(1), Duration.ofMillis(300), e -> {
                    });
                 EdgeRole role = new EdgeRole(admin, edge, "edge", "edge-commands", Set.of(Broker.ADMIN));
                 DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                ua.setSoTimeout(10_000);
                String self = "127.0.0.1:" + ua.getLocalPort();
                send(ua, server, request("SUBSCRIBE", "sip:server@127.0.0.1:" + before, self, "sub@test", "", 1,
                        "Event: server-mobility\r\nExpires: 600\r\n"));
                assertThat(receive(ua, "NOTIFY")).contains("\r\n\r\nsip:server@127.0.0.1:" + before + "\r\n");
                InetSocketAddress edgeAt = edge.address();
                String edgeUri = "sip:service@127.0.0.1:" + edgeAt.getPort();
                send(ua, edgeAt, request("INVITE", edgeUri, self, "call@test", "", 1, ""));
                assertThat(receive(ua, "SIP/2.0 200")).contains("CSeq: 1 INVITE");
                send(ua, edgeAt, request("ACK", edgeUri, self, "call@test", ";tag=s", 1, ""));

                Process move = processes.start("move", "migrate", "move", "--api", "127.0.0.1:" + api1, "--token-file",
                        dir.resolve("api.token").toString(), "--to", "127.0.0.1:" + transfer2);
                String report = new String(move.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(move.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(move.exitValue()).as(report).isZero();

                String notify = receive(ua, "NOTIFY");
                while (!notify.contains("CSeq: 2 NOTIFY")) {
                    notify = receive(ua, "NOTIFY"); // the first one again: it was not answered, so it is retransmitted
                }
                assertThat(notify).contains("\r\n\r\nsip:server@127.0.0.1:" + after + "\r\n");
                await().atMost(Duration.ofSeconds(10)).until(() -> edge.backends().getFirst().id().equals("127.0.0.1:" + after));
                assertThat(h2Events).extracting(Event::type).containsExactly("migration.server.arrived", "sip.edge.command");
                send(ua, edgeAt, request("BYE", edgeUri, self, "call@test", ";tag=s", 2, ""));
                assertThat(receive(ua, "SIP/2.0 ")).as("the call set up at h1 ends at h2's address").startsWith("SIP/2.0 200")
                        .contains("CSeq: 2 BYE");
                assertThat(status(api2)).contains("\"serving\":true", "\"listen\":\"127.0.0.1:" + after + "\"");
            }
        }
    }
}
