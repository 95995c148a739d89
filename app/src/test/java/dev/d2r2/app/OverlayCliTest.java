package dev.d2r2.app;

import dev.d2r2.core.Clock;
import dev.d2r2.core.EventCodec;
import dev.d2r2.overlay.events.NodeStatus;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.overlay.node.OverlayNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code d2r2 overlay}: put, get and lookup against eight nodes on loopback UDP, and its bad inputs. */
class OverlayCliTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;
    final List<OverlayNode> nodes = new ArrayList<>();
    Path key;
    String via;

    @BeforeEach
    void start() throws Exception {
        key = dir.resolve("net.key");
        assertThat(run("overlay", "keygen", key.toString())).isZero();
        for (int i = 0; i < 8; i++) {
            List<InetSocketAddress> seeds = nodes.isEmpty() ? List.of() : List.of(nodes.getFirst().address());
            nodes.add(OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress("127.0.0.1", 0), seeds,
                    KeyFiles.readNetworkKey(key), KadConfig.defaults(), Duration.ofSeconds(30)), Clock.system()));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.stream().allMatch(n -> n.status().join().contacts() >= 7));
        via = "127.0.0.1:" + nodes.getFirst().address().getPort();
        console.clear();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (OverlayNode n : nodes) {
            n.close();
        }
    }

    private int run(String... args) {
        return Main.commandLine().execute(args);
    }

    private String out() {
        return console.out();
    }

    @Test
    void putThenGetThenLookupFromTheCommandLine() throws Exception {
        Path alice = dir.resolve("alice.id");
        assertThat(run("overlay", "put", "--network-key", key.toString(), "--via", via, "--identity", alice.toString(),
                "--name", "sip:alice@example.org", "127.0.0.1:5062")).as(console.err()).isZero();
        assertThat(out()).contains("stored on 8 of 8 nodes");
        String owner = Files.readAllLines(alice).get(1).substring("public ".length());
        console.clear();
        assertThat(run("overlay", "get", "--network-key", key.toString(), "--via", via, "--owner", owner,
                "--name", "sip:alice@example.org")).isZero();
        assertThat(out()).isEqualTo("127.0.0.1:5062\n");
        assertThat(run("overlay", "get", "--network-key", key.toString(), "--via", via, "--owner", owner,
                "--name", "sip:bob@example.org")).isEqualTo(1);
        console.clear();
        assertThat(run("overlay", "lookup", "--network-key", key.toString(), "--via", via, nodes.get(3).id().toString())).isZero();
        assertThat(out().lines().findFirst().orElseThrow()).startsWith(nodes.get(3).id().toString());
        assertThat(out().lines().count()).isEqualTo(8);
    }

    @Test
    void aNodePrintsItsStatusEvents() throws Exception {
        assertThat(run("overlay", "node", "--network-key", key.toString(), "--join", via, "--status-every", "200ms", "--count", "3",
                "--print")).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines.getFirst()).startsWith("overlay node ");
        NodeStatus last = NodeStatus.from(EventCodec.decode(lines.getLast()));
        assertThat(last.contacts()).isEqualTo(8);
    }

    @Test
    void badInputIsAClearErrorWithExitCode2() throws Exception {
        Path bad = dir.resolve("bad.key");
        Files.writeString(bad, "12zz\n");
        assertThat(run("overlay", "lookup", "--network-key", bad.toString(), "--via", via, "00".repeat(20))).isEqualTo(2);
        assertThat(console.err()).contains("bad.key:1:1: expected 64 hex digits");
        assertThat(run("overlay", "lookup", "--network-key", key.toString(), "--via", via, "00zz")).isEqualTo(2);
        assertThat(console.err()).contains("ID:1:1: expected 40 hex digits");
        assertThat(run("overlay", "keygen", key.toString())).isEqualTo(2);
        assertThat(console.err()).contains("not overwriting a key");
    }
}
