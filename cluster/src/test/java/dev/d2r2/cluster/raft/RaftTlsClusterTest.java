package dev.d2r2.cluster.raft;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.cluster.command.ControlCommand.AddIdentity;
import dev.d2r2.cluster.command.ControlCommand.CreateChannel;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.ClusterTls;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.cluster.tls.ClusterCa;
import dev.d2r2.cluster.tls.RaftTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three real Ratis replicas over mutual TLS (loopback gRPC), with certificates from a cluster CA;
 * intruders hold certificates of another CA (and trust the cluster's, so that only the
 * replicas' refusal stops them) or speak plain text.
 */
class RaftTlsClusterTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    @TempDir
    static Path elsewhere;
    static TestCluster cluster;
    static ClusterClient client;

    @BeforeAll
    static void start() throws IOException {
        cluster = TestCluster.withTls(dir, 3, RaftSettings.DEFAULT);
        client = new ClusterClient(cluster.file, cluster.clientTls(), Duration.ofSeconds(20), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws IOException {
        client.close();
        cluster.close();
    }

    @Test
    void threeReplicasCommitCommandsOverMutualTls() throws IOException {
        assertThat(cluster.clientTls().enabled()).isTrue();
        assertThat(client.submit(AddIdentity.fresh("tls-ops", null, true)).applied()).isTrue();
        assertThat(client.submit(CreateChannel.fresh(new ChannelSpec("tls-orders", ChannelClass.DEFAULT, Set.of(), Set.of())))
                .applied()).isTrue();
        awaitConverged();
        await().atMost(CONVERGE).untilAsserted(() -> {
            ClusterStatus s = client.status();
            assertThat(s.leader()).isPresent();
            assertThat(s.converged()).isTrue();
        });
        for (String name : cluster.runningNames()) {
            assertThat(client.state(name).channels()).containsKey("tls-orders");
        }
    }

    @Test
    void clientsWithoutACertificateOfTheClusterCaAreRefusedAndTheClusterGoesOn() throws IOException {
        for (RaftTls intruder : new RaftTls[] {RaftTls.PLAIN, foreign("intruder", Optional.empty())}) {
            try (ClusterClient c = new ClusterClient(cluster.file, intruder, Duration.ofSeconds(2), Duration.ofSeconds(1))) {
                assertThatThrownBy(() -> c.submit(AddIdentity.fresh("intruder", null, true)))
                        .as("submitted with %s", intruder).isInstanceOf(IOException.class);
                assertThatThrownBy(() -> c.state("r1")).as("read with %s", intruder).isInstanceOf(IOException.class);
            }
        }
        assertThat(client.submit(AddIdentity.fresh("after-intruders", null, false)).applied()).isTrue();
        awaitConverged();
        for (String name : cluster.runningNames()) {
            assertThat(client.state(name).identities()).containsKey("after-intruders").doesNotContainKey("intruder");
        }
    }

    @Test
    void aReplicaWithACertificateOfTheClusterCaJoinsAndOneWithoutCannot() throws IOException {
        Replica member = TestCluster.replica("member");
        cluster.startNewcomer(member, CommittedCommands.NONE);
        try {
            client.add(member.name(), member.address());
            assertThat(client.members()).hasSize(4);
            awaitConverged();
            client.remove(member.name());
        } finally {
            cluster.stop(member.name());
        }

        Replica stranger = TestCluster.replica("stranger");
        cluster.startNewcomer(stranger, foreign(stranger.name(), Optional.of("127.0.0.1")), CommittedCommands.NONE);
        // The leader gives up on a newcomer it cannot reach after its staging timeout (three maximum election
        // timeouts), and the client retries that as it retries a missing leader: its patience is a number of
        // attempts 20 ms apart, each of which lasts the staging timeout here (5 s of patience took 110 s).
        try (ClusterClient admin = new ClusterClient(cluster.file, cluster.clientTls(), Duration.ofMillis(100),
                Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> admin.add(stranger.name(), stranger.address())).isInstanceOf(IOException.class);
        } finally {
            cluster.stop(stranger.name());
        }
        assertThat(client.members()).extracting(p -> p.getId().toString()).containsExactlyInAnyOrder("r1", "r2", "r3");
        assertThat(client.submit(AddIdentity.fresh("after-stranger", null, false)).applied()).isTrue();
        awaitConverged();
    }

    /**
     * {@code name}'s TLS with a certificate of another CA, trusting that CA and the cluster's:
     * it would accept the replicas, but they do not accept it.
     */
    private static RaftTls foreign(String name, Optional<String> host) throws IOException {
        ClusterCa other = ClusterCa.loadOrCreate(elsewhere, "other", Duration.ofDays(1));
        Path key = other.issue(name, host, Duration.ofDays(1));
        Path both = elsewhere.resolve("both-cas.pem");
        Files.writeString(both, Files.readString(other.certificateFile())
                + Files.readString(Path.of(cluster.file.raftTls().orElseThrow().ca())));
        ClusterFile theirs = new ClusterFile(cluster.file.group(), cluster.file.f(), cluster.file.replicas(),
                new ClusterTls(both.toString()));
        return RaftTls.load(theirs, key);
    }

    private static void awaitConverged() {
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertThat(cluster.digests()).hasSize(cluster.runningNames().size()).containsOnly(cluster.digests().getFirst());
            assertThat(cluster.appliedIndexes()).containsOnly(cluster.appliedIndexes().getFirst());
        });
    }
}
