package dev.d2r2.cluster.broker;

import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterStatus;
import dev.d2r2.cluster.raft.PeerStatus;
import dev.d2r2.cluster.tls.RaftTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three broker replicas in three network namespaces on one bridge (a fourth namespace), the test
 * on the bridge too: the leader's link is set down, the two left elect a leader among themselves
 * and go on committing; once the link is up again the cut replica catches up, and all three end
 * with one control state.
 */
class RaftPartitionNamespaceTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int N = 3;
    /** Short (interface names have 15 characters at most) and this test's own. */
    private static final String PREFIX = "d2rp" + ProcessHandle.current().pid() % 10_000;
    private static final String SUBNET = "10.219." + ProcessHandle.current().pid() % 250 + ".";
    private static final int RAFT_PORT = 7300;

    @TempDir
    static Path dir;
    static ReplicaProcesses replicas;
    static ClusterClient cluster;

    private static String host(int i) {
        return PREFIX + "-h" + i;
    }

    private static String bridgePort(int i) {
        return PREFIX + "b" + i;
    }

    private static String bridge() {
        return PREFIX + "-sw";
    }

    private static String client() {
        return PREFIX + "-c";
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false)
                && Files.isExecutable(Path.of("/usr/sbin/ip")), "needs root and iproute2 for network namespaces");
        removeTopology();
        must("ip", "netns", "add", bridge());
        must("ip", "-n", bridge(), "link", "add", "br0", "type", "bridge");
        must("ip", "-n", bridge(), "link", "set", "br0", "up");
        for (int i = 1; i <= N; i++) {
            attach(host(i), PREFIX + "a" + i, bridgePort(i), SUBNET + i);
        }
        must("ip", "link", "add", client(), "type", "veth", "peer", "name", client() + "b");
        must("ip", "link", "set", client() + "b", "netns", bridge());
        must("ip", "-n", bridge(), "link", "set", client() + "b", "master", "br0", "up");
        must("ip", "addr", "add", SUBNET + "100/24", "dev", client());
        must("ip", "link", "set", client(), "up");
        replicas = new ReplicaProcesses(dir, N, false, new ReplicaProcesses.Placement() {
            @Override
            public String raftAddress(int i) {
                return SUBNET + i + ":" + RAFT_PORT;
            }

            @Override
            public List<String> launcher(int i) {
                return List.of("ip", "netns", "exec", host(i));
            }
        });
        cluster = new ClusterClient(replicas.cluster, RaftTls.PLAIN, Duration.ofSeconds(20), Duration.ofSeconds(2));
    }

    /** A host namespace {@code ns} on the bridge: veth {@code inside} (with {@code address}) to {@code port} on br0. */
    private static void attach(String ns, String inside, String port, String address) throws Exception {
        must("ip", "netns", "add", ns);
        must("ip", "link", "add", inside, "type", "veth", "peer", "name", port);
        must("ip", "link", "set", inside, "netns", ns);
        must("ip", "link", "set", port, "netns", bridge());
        must("ip", "-n", bridge(), "link", "set", port, "master", "br0", "up");
        must("ip", "-n", ns, "addr", "add", address + "/24", "dev", inside);
        must("ip", "-n", ns, "link", "set", inside, "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (replicas != null) {
            replicas.close();
        }
        removeTopology();
    }

    private static void removeTopology() throws Exception {
        sh("ip", "link", "del", client());
        for (int i = 1; i <= N; i++) {
            sh("ip", "netns", "del", host(i));
        }
        sh("ip", "netns", "del", bridge());
    }

    private static boolean sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    private static void must(String... command) throws IOException, InterruptedException {
        if (!sh(command)) {
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }

    private static String leader() {
        return await().atMost(PATIENCE).ignoreExceptions().until(() -> cluster.status().leader().orElse(null),
                Objects::nonNull);
    }

    /**
     * Commits one new identity, retried while the cluster elects a leader (a retry of a submission
     * that was committed after all is refused as a duplicate: committed too).
     */
    private static long commit(String name) {
        CommandResult r = await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> cluster.submit(ControlCommand.AddIdentity.fresh(name, null, false)), Objects::nonNull);
        assertThat(r.applied() || r.message().contains("already exists")).as(r.message()).isTrue();
        return r.index();
    }

    private static PeerStatus peer(ClusterStatus s, String name) {
        return s.peers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theMajorityGoesOnWithoutACutLeaderAndTheLeaderCatchesUpWhenTheLinkIsBack() throws Exception {
        for (int i = 0; i < 5; i++) {
            commit("before" + i);
        }
        await().atMost(PATIENCE).ignoreExceptions().until(() -> cluster.status(), ClusterStatus::converged);
        String cut = leader();
        int index = replicas.names.indexOf(cut) + 1;
        List<String> others = replicas.names.stream().filter(n -> !n.equals(cut)).toList();

        must("ip", "-n", bridge(), "link", "set", bridgePort(index), "down");
        long last;
        try {
            last = 0;
            for (int i = 0; i < 5; i++) {
                last = commit("during" + i);
            }
            long committed = last;
            await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
                ClusterStatus s = cluster.status();
                assertThat(s.leader()).as(s.render()).isPresent().get().isIn(others);
                assertThat(peer(s, cut).reachable()).as(s.render()).isFalse();
                for (String o : others) {
                    assertThat(peer(s, o).appliedIndex()).as("applied on %s", o).isGreaterThanOrEqualTo(committed);
                }
            });
        } finally {
            must("ip", "-n", bridge(), "link", "set", bridgePort(index), "up");
        }

        long committed = last;
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            ClusterStatus s = cluster.status();
            assertThat(s.converged()).as(s.render()).isTrue();
            assertThat(peer(s, cut).appliedIndex()).as(s.render()).isGreaterThanOrEqualTo(committed);
        });
        commit("after");
        await().atMost(PATIENCE).ignoreExceptions().until(() -> cluster.status(), ClusterStatus::converged);
    }
}
