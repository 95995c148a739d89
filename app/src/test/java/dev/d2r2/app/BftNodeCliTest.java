package dev.d2r2.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code d2r2 bft node}: four replica processes (n = 4, f = 1) started from the CLI order the
 * commands given on their standard inputs into the same blocks, and the three left go on
 * deciding once one is killed. Bad arguments (of {@code bft node} and of {@code broker --bft}) get
 * one clear line and exit 2.
 */
class BftNodeCliTest {
    private static final int N = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** A replica process: where to write its commands, and the blocks it printed. */
    private record Node(Process process, PrintWriter in, List<JsonNode> blocks) {
        void submit(String command) {
            in.println(command);
            in.flush();
        }

        List<String> commands() {
            List<String> all = new ArrayList<>();
            blocks.forEach(b -> b.get("commands").forEach(c -> all.add(c.asText())));
            return all;
        }

        List<String> chain() {
            return blocks.stream().map(b -> b.get("height").asLong() + ":" + b.get("hash").asText()).toList();
        }
    }

    private Node start(Path cluster, int i) throws Exception {
        Process p = processes.start("r" + i, "bft", "node", "--cluster", cluster.toString(), "--id", "r" + i,
                "--identity", dir.resolve("r" + i + ".identity").toString(), "--view-timeout", "500ms");
        Node node = new Node(p, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8), new CopyOnWriteArrayList<>());
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    node.blocks().add(JSON.readTree(line));
                }
            } catch (Exception e) {
                // the process ended
            }
        });
        return node;
    }

    @Test
    void fourNodesOrderTheirCommandsAlikeAndThreeGoOnWhenOneIsKilled() throws Exception {
        Path cluster = BftClusterFiles.write(dir, N, null, Map.of());
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            nodes.add(start(cluster, i));
        }
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            before.add("before-" + i);
            nodes.get(i % N).submit("before-" + i);
        }
        await().atMost(PATIENCE).until(() -> nodes.stream().allMatch(n -> n.commands().containsAll(before)));
        sameChains(nodes);
        for (Node n : nodes) {
            assertThat(n.commands()).doesNotHaveDuplicates();
            assertThat(n.blocks()).extracting(b -> b.get("height").asLong())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, n.blocks().size()).boxed().toList());
        }

        nodes.get(N - 1).process().destroyForcibly().waitFor();
        List<Node> left = nodes.subList(0, N - 1);
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            after.add("after-" + i);
            left.get(i % left.size()).submit("after-" + i);
        }
        await().atMost(PATIENCE).until(() -> left.stream().allMatch(n -> n.commands().containsAll(after)));
        sameChains(left);
        assertThat(left.getFirst().commands()).containsSubsequence(before.getFirst(), after.getFirst());
    }

    /** Every pair of nodes decided the same block at every height both reached. */
    private static void sameChains(List<Node> nodes) {
        for (Node a : nodes) {
            for (Node b : nodes) {
                List<String> x = a.chain();
                List<String> y = b.chain();
                int common = Math.min(x.size(), y.size());
                assertThat(x.subList(0, common)).isEqualTo(y.subList(0, common));
            }
        }
    }

    @Test
    void badArgumentsGetOneClearLineAndExitTwo() throws Exception {
        Path cluster = BftClusterFiles.write(dir, N, null, Map.of());
        assertThat(Main.commandLine().execute("bft", "node", "--cluster", cluster.toString(), "--id", "r9",
                "--identity", dir.resolve("r0.identity").toString())).isEqualTo(2);
        assertThat(console.err()).contains("no replica r9");
        console.clear();
        assertThat(Main.commandLine().execute("bft", "node", "--cluster", cluster.toString(), "--id", "r1",
                "--identity", dir.resolve("r0.identity").toString())).isEqualTo(2);
        assertThat(console.err()).contains("is not replica r1's publicKey");
        console.clear();
        Files.writeString(dir.resolve("three.yaml"), Files.readString(cluster).replace("f: 1", "f: 0"));
        assertThat(Main.commandLine().execute("bft", "node", "--cluster", dir.resolve("three.yaml").toString(), "--id", "r0",
                "--identity", dir.resolve("r0.identity").toString())).isEqualTo(2);
        assertThat(console.err()).contains("n = 3f + 1");
        console.clear();
        assertThat(Main.commandLine().execute("broker", "--bft", cluster.toString(), "--id", "r9",
                "--data", dir.resolve("data").toString())).isEqualTo(2);
        assertThat(console.err()).contains("no replica r9");
        assertThat(dir.resolve("data")).doesNotExist();
        console.clear();
        assertThat(Main.commandLine().execute("broker", "--bft", cluster.toString(), "--cluster", cluster.toString(),
                "--id", "r0", "--data", dir.resolve("data").toString())).isEqualTo(2);
        assertThat(console.err()).contains("exclude each other");
    }
}
