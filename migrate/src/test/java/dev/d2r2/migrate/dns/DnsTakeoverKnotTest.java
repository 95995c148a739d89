package dev.d2r2.migrate.dns;

import dev.d2r2.core.Clock;
import dev.d2r2.migrate.takeover.TakeoverConfig;
import dev.d2r2.migrate.takeover.TakeoverConfig.Peer;
import dev.d2r2.migrate.takeover.TakeoverConfig.Role;
import dev.d2r2.migrate.takeover.TakeoverNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** DNS-based redundancy: takeover members on loopback point a name at themselves in a real knotd. */
class DnsTakeoverKnotTest {
    private static final String ZONE = "d2r2-takeover.test";
    private static final String NAME = "svc." + ZONE;
    private static final byte[] GROUP_KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final TsigKey KEY = new TsigKey("takeover", "a secret shared with knot, 32 b.".getBytes(StandardCharsets.US_ASCII));
    @TempDir
    Path dir;
    private KnotServer knot;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Queue<String> log = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() throws Exception {
        knot = new KnotServer(dir, ZONE, KEY);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        knot.close();
    }

    private DnsServiceAddress dns(TsigKey key, String own, int attempts) throws Exception {
        DnsServiceAddress a = new DnsServiceAddress(new DnsUpdater(knot.address(), ZONE, key, Duration.ofSeconds(1)), NAME,
                (Inet4Address) InetAddress.getByName(own), 5, attempts, Duration.ofMillis(50), log::add);
        open.add(a);
        return a;
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theBackupPointsTheNameAtItselfWhenTheMasterDies() throws Exception {
        String[] names = {"master", "backup", "witness"};
        int[] ports = {freePort(), freePort(), freePort()};
        TakeoverNode[] nodes = new TakeoverNode[3];
        String[] own = {"192.0.2.10", "192.0.2.20", null};
        for (int i = 0; i < 3; i++) {
            List<Peer> peers = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    peers.add(new Peer(names[j], "127.0.0.1:" + ports[j]));
                }
            }
            Role role = Role.valueOf(names[i]);
            DnsServiceAddress service = own[i] == null ? null : dns(KEY, own[i], 3);
            TakeoverConfig c = new TakeoverConfig(names[i], role, "127.0.0.1:" + ports[i], peers, "group.key",
                    service == null ? null : service.address(), service == null ? null : "lo", Duration.ofMillis(20), 3, 3, null);
            nodes[i] = new TakeoverNode(c, GROUP_KEY, service, Clock.system(), change -> { }, null);
            open.add(nodes[i]);
        }
        for (TakeoverNode n : nodes) {
            n.start();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> knot.query(NAME).equals("192.0.2.10"));

        nodes[0].close();
        await().atMost(Duration.ofSeconds(10)).until(() -> knot.query(NAME).equals("192.0.2.20"));
        assertThat(log).anyMatch(l -> l.startsWith("dns: " + NAME + " A 192.0.2.20 (ttl 5 s) in "));
    }

    @Test
    void aRefusedUpdateIsRetriedThenReported() throws Exception {
        TsigKey wrong = new TsigKey(KEY.name(), "another secret, not knot's......".getBytes(StandardCharsets.US_ASCII));
        dns(wrong, "192.0.2.30", 2).acquire();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.stream().anyMatch(l -> l.contains("giving up")));
        assertThat(log).hasSize(2).allMatch(l -> l.contains("refused: NOTAUTH, TSIG BADSIG"));
        assertThat(knot.query(NAME)).isEqualTo("192.0.2.1");
    }
}
