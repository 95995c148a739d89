package dev.d2r2.migrate.live;

import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.sip.server.SipServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The clients follow the server (redirection (b), docs/migration.md): a real SIPp user agent
 * subscribes to the server's {@code server-mobility} event package, gets the server's address in
 * the first NOTIFY, and its new address in a NOTIFY once a live migration moved it to another port,
 * where it then refreshes the same subscription;
 * SUBSCRIBEs the package refuses get their 4xx, each counted.
 */
class ServerMobilitySippTest {
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final byte[] KEY = "a 32-byte key for these tests!!!".getBytes(StandardCharsets.US_ASCII);
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path dir;

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

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The scenario {@code name} from the test resources, with {@code @KEY@} replaced as {@code values} say (key, value, ...). */
    private Path scenario(String name, String... values) throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/sipp/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (int i = 0; i < values.length; i += 2) {
            text = text.replace("@" + values[i] + "@", values[i + 1]);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.ISO_8859_1);
        return p;
    }

    private Process sipp(String name, Path scenario, InetSocketAddress server) throws IOException {
        return new ProcessBuilder(SIPP.toString(), "-sf", scenario.toString(), "127.0.0.1:" + server.getPort(), "-i", "127.0.0.1",
                "-p", Integer.toString(freeUdpPort()), "-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private static String regexp(String address) {
        return address.replace(".", "\\.");
    }

    @Test
    void aSubscriberIsNotifiedOfTheServersNewAddressAfterALiveMigration() throws Exception {
        Peers.require(SIPP, "sip-tester");
        SipServer source = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        String before = "127.0.0.1:" + source.address().getPort();
        String after = "127.0.0.1:" + freeUdpPort();
        Process ua = sipp("subscriber", scenario("mobility-subscriber.xml", "OLD", regexp(before), "NEW", regexp(after)),
                source.address());
        await().atMost(Duration.ofSeconds(20)).until(() -> source.counters().getOrDefault("notify.ok", 0L) == 1);
        assertThat(source.subscriptions()).isEqualTo(1);

        ServerSocket listener = keep(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        CompletableFuture<MigrationTarget.Arrival> arriving = CompletableFuture.supplyAsync(() -> {
            try {
                return new MigrationTarget(null, after).receive(SecureChannel.accept(listener.accept(), KEY));
            } catch (IOException e) {
                return new MigrationTarget.Arrival(null, e.toString());
            }
        });
        MigrationReport report = new MigrationSource(source, null, KEY, Migration.Settings.DEFAULT, Clock.system())
                .migrateTo((InetSocketAddress) listener.getLocalSocketAddress());
        assertThat(report.outcome()).as(report.reason()).isEqualTo(MigrationReport.MOVED);
        source.close();
        MigrationTarget.Arrival arrival = arriving.get(10, TimeUnit.SECONDS);
        SipServer moved = keep(arrival.server());
        assertThat(arrival.movedFrom()).isEqualTo(before);
        assertThat(arrival.notified()).as("the subscription moved with the state and was told").isEqualTo(1);

        assertThat(ua.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ua.exitValue()).as(Files.readString(dir.resolve("subscriber.out"))).isZero();
        assertThat(moved.counters()).as("the subscriber answered the move's NOTIFY there, then refreshed the same subscription there")
                .containsEntry("notify.ok", 2L).containsEntry("subscribe.refresh", 1L).doesNotContainKeys("subscribe", "subscribe.unknown");
        assertThat(moved.subscriptions()).isEqualTo(1);
    }

    @Test
    void subscriptionsThePackageRefusesAreAnsweredWithTheirFourHundredsAndCounted() throws Exception {
        Peers.require(SIPP, "sip-tester");
        SipServer server = keep(new SipServer(new InetSocketAddress("127.0.0.1", 0), 0, 0));
        Process ua = sipp("malformed", scenario("mobility-malformed.xml"), server.address());
        assertThat(ua.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ua.exitValue()).as(Files.readString(dir.resolve("malformed.out"))).isZero();
        assertThat(server.counters()).containsEntry("subscribe.bad_event", 1L).containsEntry("subscribe.bad_expires", 1L)
                .containsEntry("subscribe.too_brief", 1L).containsEntry("subscribe.unknown", 1L)
                .doesNotContainKeys("subscribe", "notify.sent", "errors");
        assertThat(server.subscriptions()).isZero();
    }
}
