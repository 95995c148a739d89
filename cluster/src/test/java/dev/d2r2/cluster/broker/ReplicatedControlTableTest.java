package dev.d2r2.cluster.broker;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.raft.ClusterStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three broker replicas, one JVM each, shared by the tests: identities and channels registered
 * on any replica, through the ordinary client protocol, reach every replica's broker, and a
 * replica killed with {@code kill -9} catches up when it starts again.
 */
class ReplicatedControlTableTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    static Path dir;
    static ReplicaProcesses replicas;
    static ClusterClient cluster;

    @BeforeAll
    static void start() throws Exception {
        replicas = new ReplicaProcesses(dir, 3);
        cluster = new ClusterClient(replicas.cluster, Duration.ofSeconds(20), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
        replicas.close();
    }

    @AfterEach
    void allRunning() throws IOException {
        for (String name : replicas.names) {
            if (!replicas.isRunning(name)) {
                replicas.restart(name);
            }
        }
    }

    private static String unique(String prefix) {
        return prefix + NEXT.incrementAndGet();
    }

    private static ChannelSpec channel(String tag, Set<String> publishers) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT, publishers, Set.of());
    }

    /** Every replica answers with one control-state digest. */
    private static void awaitConverged() {
        await().atMost(CONVERGE).until(() -> cluster.status(), ClusterStatus::converged);
    }

    @Test
    void changesMadeOnAnyReplicaReachEveryReplicasBroker() throws Exception {
        String tag = unique("orders");
        String alice = unique("alice");
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.createChannel(channel(tag, Set.of()));
        }
        byte[] secret;
        try (RemoteBrokerClient b2 = replicas.connect(replicas.admin("b2"), "b2")) {
            secret = b2.register(alice, null, false);
        }
        try (RemoteBrokerClient b3 = replicas.connect(replicas.admin("b3"), "b3")) {
            b3.alterChannel(channel(tag, Set.of(alice)));
            assertThatThrownBy(() -> b3.createChannel(channel(tag, Set.of())))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CHANNEL_EXISTS));
        }
        for (String at : replicas.names) {
            try (RemoteBrokerClient c = replicas.connect(replicas.as(alice, secret, at), at)) {
                assertThat(c.channel(tag).publishers()).as("channel %s on %s", tag, at).containsExactly(alice);
            }
        }
        awaitConverged();
    }

    @Test
    void aReplicaKilledAndStartedAgainCatchesUp() throws Exception {
        replicas.kill("b3");
        String tag = unique("missed");
        String bob = unique("bob");
        byte[] secret;
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            secret = b1.register(bob, null, false);
            b1.createChannel(channel(tag, Set.of(bob)));
        }
        replicas.restart("b3");
        await().atMost(CONVERGE).ignoreExceptions().untilAsserted(() -> {
            try (RemoteBrokerClient c = replicas.connect(replicas.as(bob, secret, "b3"), "b3")) {
                assertThat(c.channel(tag).publishers()).containsExactly(bob);
            }
        });
        awaitConverged();
    }

    @Test
    void anIdentityTakenOnOneReplicaIsRefusedOnAnother() throws Exception {
        String carol = unique("carol");
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.register(carol, null, false);
        }
        try (RemoteBrokerClient b2 = replicas.connect(replicas.admin("b2"), "b2")) {
            assertThatThrownBy(() -> b2.register(carol, null, false))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTITY_EXISTS));
        }
    }
}
