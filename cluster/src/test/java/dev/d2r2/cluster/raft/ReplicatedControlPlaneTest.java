package dev.d2r2.cluster.raft;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.ControlCommand.AddIdentity;
import dev.d2r2.cluster.command.ControlCommand.CreateChannel;
import dev.d2r2.cluster.command.ControlCommand.Grant;
import dev.d2r2.cluster.command.Right;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.state.ControlState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three real Ratis replicas over loopback gRPC, shared by the tests; each test leaves all three
 * running. Snapshots every 8 entries, so a newcomer catches up from a snapshot.
 */
class ReplicatedControlPlaneTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ClusterClient client;

    @BeforeAll
    static void start() throws IOException {
        cluster = new TestCluster(dir, 3, new RaftSettings(8));
        client = new ClusterClient(cluster.file, cluster.clientTls(), Duration.ofSeconds(20), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        cluster.close();
    }

    @AfterEach
    void allThreeRunning() throws IOException {
        for (String name : cluster.runningNames()) {
            if (cluster.file.replica(name).isEmpty()) {
                if (client.members().stream().anyMatch(p -> p.getId().toString().equals(name))) {
                    client.remove(name);
                }
                cluster.stop(name);
            }
        }
        for (Replica r : cluster.file.replicas()) {
            if (cluster.node(r.name()) == null) {
                cluster.start(r.name());
            }
        }
    }

    private static String unique(String prefix) {
        return prefix + NEXT.incrementAndGet();
    }

    /** Adds an identity and a channel it may publish on; returns the channel's tag. */
    private static String someChanges() throws IOException {
        String who = unique("id");
        String tag = unique("ch");
        assertThat(client.submit(AddIdentity.fresh(who, null, false)).applied()).isTrue();
        assertThat(client.submit(CreateChannel.fresh(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(), Set.of())))
                .applied()).isTrue();
        CommandResult granted = client.submit(new Grant(tag, Right.PUBLISH, who));
        assertThat(granted.applied()).isTrue();
        assertThat(granted.message()).isEqualTo(who + " may publish on " + tag);
        return tag;
    }

    private static void awaitConverged() {
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertThat(cluster.digests()).hasSize(cluster.runningNames().size()).containsOnly(cluster.digests().getFirst());
            assertThat(cluster.appliedIndexes()).containsOnly(cluster.appliedIndexes().getFirst());
        });
    }

    @Test
    void threeReplicasCommitCommandsAndHoldTheSameTable() throws IOException {
        String tag = someChanges();
        awaitConverged();
        for (String name : cluster.runningNames()) {
            ControlState s = client.state(name);
            assertThat(s.channels()).containsKey(tag);
            assertThat(s.digest()).isEqualTo(cluster.node(name).summary().digest());
        }
        CommandResult again = client.submit(CreateChannel.fresh(new ChannelSpec(tag, ChannelClass.DEFAULT, null, null)));
        assertThat(again.applied()).isFalse();
        assertThat(again.message()).isEqualTo("channel " + tag + " already exists");
        assertThat(again.index()).isPositive();
    }

    @Test
    void malformedBytesAreRefusedWithTheReasonAndCounted() throws IOException {
        String leader = cluster.leaderAwaited();
        long before = cluster.node(leader).summary().malformedRefused();
        byte[] bad = CommandCodec.encode(new ControlCommand.RevokeIdentity("bob"));
        bad[1] = 77;
        assertThatThrownBy(() -> client.submitBytes(bad)).isInstanceOf(IOException.class)
                .hasMessageContaining("control command malformed at byte 2: unknown command tag 77");
        assertThat(cluster.node(leader).summary().malformedRefused()).isEqualTo(before + 1);
        someChanges();
        awaitConverged();
    }

    @Test
    void closingTheLeaderElectsAnotherAndCommandsGoOn() throws IOException {
        someChanges();
        String old = cluster.leaderAwaited();
        cluster.stop(old);
        String tag = someChanges();
        String next = cluster.leaderAwaited();
        assertThat(next).isNotEqualTo(old);
        awaitConverged();
        cluster.start(old);
        awaitConverged();
        assertThat(client.state(old).channels()).containsKey(tag);
    }

    @Test
    void aStoppedFollowerRestartedCatchesUp() throws IOException {
        String leader = cluster.leaderAwaited();
        String follower = cluster.runningNames().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        cluster.stop(follower);
        for (int i = 0; i < 10; i++) {
            someChanges();
        }
        cluster.start(follower);
        awaitConverged();
    }

    @Test
    void aNewReplicaAddedInBandCatchesUpAndCanBeRemoved() throws IOException {
        for (int i = 0; i < 10; i++) {
            someChanges();
        }
        Replica newcomer = TestCluster.replica(unique("new"));
        List<Long> installed = new CopyOnWriteArrayList<>();
        cluster.startNewcomer(newcomer, new CommittedCommands() {
            @Override
            public void applied(long index, ControlCommand command, CommandResult result, ControlState state) {
            }

            @Override
            public void loaded(long index, ControlState state) {
                installed.add(index);
            }
        });
        client.add(newcomer.name(), newcomer.address());
        assertThat(client.members()).hasSize(4);
        someChanges();
        awaitConverged();
        await().atMost(CONVERGE).untilAsserted(() -> {
            ClusterStatus status = client.status();
            assertThat(status.peers()).hasSize(4).allSatisfy(p -> assertThat(p.lag()).isZero());
            assertThat(status.converged()).isTrue();
        });

        assertThat(installed).as("the leader's log was purged: it sent a snapshot").isNotEmpty();

        client.remove(newcomer.name());
        assertThat(client.members()).extracting(p -> p.getId().toString()).doesNotContain(newcomer.name());
        cluster.stop(newcomer.name());
        someChanges();
        awaitConverged();
        assertThatThrownBy(() -> client.remove(newcomer.name())).hasMessage("replica " + newcomer.name() + " is not a member");
    }

    @Test
    void statusShowsTheLeaderAndEveryReplica() throws IOException {
        someChanges();
        awaitConverged();
        String leader = cluster.leaderAwaited();
        await().atMost(CONVERGE).untilAsserted(() -> {
            ClusterStatus s = client.status();
            assertThat(s.leader()).contains(leader);
            assertThat(s.peers()).extracting(PeerStatus::name).containsExactlyInAnyOrder("r1", "r2", "r3");
            assertThat(s.peers()).allSatisfy(p -> {
                assertThat(p.appliedIndex()).isPositive();
                assertThat(p.lag()).isZero();
            });
            assertThat(s.converged()).isTrue();
            assertThat(s.render()).contains("leader: " + leader).contains("REPLICA");
        });
    }
}
