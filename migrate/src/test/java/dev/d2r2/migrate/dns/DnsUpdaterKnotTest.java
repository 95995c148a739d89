package dev.d2r2.migrate.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The updater against a real knotd: the name follows, a wrong key is refused and said so. */
class DnsUpdaterKnotTest {
    private static final String ZONE = "d2r2-dns.test";
    private static final TsigKey KEY = new TsigKey("d2r2-takeover", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    @TempDir
    static Path dir;
    private static KnotServer knot;

    @BeforeAll
    static void start() throws Exception {
        knot = new KnotServer(dir, ZONE, KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (knot != null) {
            knot.close();
        }
    }

    private static Inet4Address ip(String text) throws Exception {
        return (Inet4Address) InetAddress.getByName(text);
    }

    @Test
    void theNameFollowsTheNewAddress() throws Exception {
        DnsUpdater updater = new DnsUpdater(knot.address(), ZONE, KEY, Duration.ofSeconds(2));
        updater.replaceA("svc." + ZONE, ip("192.0.2.2"), 5);
        assertThat(knot.query("svc." + ZONE)).isEqualTo("192.0.2.2");
        updater.replaceA("svc." + ZONE + ".", ip("192.0.2.3"), 5);
        assertThat(knot.query("svc." + ZONE)).isEqualTo("192.0.2.3");
    }

    @Test
    void aNewNameIsCreated() throws Exception {
        new DnsUpdater(knot.address(), ZONE + ".", KEY, Duration.ofSeconds(2)).replaceA("new." + ZONE, ip("192.0.2.9"), 5);
        assertThat(knot.query("new." + ZONE)).isEqualTo("192.0.2.9");
    }

    @Test
    void anotherSecretIsRefusedAsNotAuth() throws Exception {
        TsigKey wrong = new TsigKey(KEY.name(), "not the secret the server has....".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> new DnsUpdater(knot.address(), ZONE, wrong, Duration.ofSeconds(2))
                .replaceA("wrong." + ZONE, ip("192.0.2.66"), 5))
                .isInstanceOf(DnsUpdateException.class).hasMessageContaining("NOTAUTH").hasMessageContaining("BADSIG");
        assertThat(knot.query("wrong." + ZONE)).isEmpty();
    }

    @Test
    void anUnknownKeyIsRefusedAsNotAuth() throws Exception {
        TsigKey stranger = new TsigKey("stranger", KEY.secret());
        assertThatThrownBy(() -> new DnsUpdater(knot.address(), ZONE, stranger, Duration.ofSeconds(2))
                .replaceA("stranger." + ZONE, ip("192.0.2.67"), 5))
                .isInstanceOf(DnsUpdateException.class).hasMessageContaining("NOTAUTH").hasMessageContaining("BADKEY");
        assertThat(knot.query("stranger." + ZONE)).isEmpty();
    }

    @Test
    void aNameOutsideTheZoneIsNotSent() {
        assertThatThrownBy(() -> new DnsUpdater(knot.address(), ZONE, KEY, Duration.ofSeconds(2))
                .replaceA("svc.example.org", ip("192.0.2.68"), 5)).hasMessageContaining("not in zone");
    }

    @Test
    void aServerThatAnswersGarbageIsReportedNotFollowed() throws Exception {
        try (DatagramSocket fake = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[512], 512);
                    fake.receive(p);
                    byte[] garbage = {p.getData()[0], p.getData()[1], (byte) 0xA8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a'};
                    fake.send(new DatagramPacket(garbage, garbage.length, p.getSocketAddress()));
                } catch (Exception ignored) {
                    // the assertion below fails if no answer came
                }
            });
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", fake.getLocalPort());
            assertThatThrownBy(() -> new DnsUpdater(at, ZONE, KEY, Duration.ofSeconds(2)).replaceA("svc." + ZONE, ip("192.0.2.5"), 5))
                    .isInstanceOf(DnsUpdateException.class).hasMessageContaining("malformed answer");
        }
    }

    @Test
    void noServerIsATimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", silent.getLocalPort());
            assertThatThrownBy(() -> new DnsUpdater(at, ZONE, KEY, Duration.ofMillis(300)).replaceA("svc." + ZONE, ip("192.0.2.5"), 5))
                    .isInstanceOf(DnsUpdateException.class).hasMessageContaining("no answer in 300 ms");
        }
    }
}
