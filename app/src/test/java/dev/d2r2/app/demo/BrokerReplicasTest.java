package dev.d2r2.app.demo;

import dev.d2r2.app.node.BrokerConfig;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.app.node.SipServerConfig;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo's broker replicas in this process, without the rest of the demo: a witness publishing
 * through a client that knows the three while the leader is killed (Raft closed with no hand-off,
 * then its listener) and restarted; a new leader acknowledges, and every replica's log, the
 * restarted one's included, holds every acknowledged event.
 */
class BrokerReplicasTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void noAcknowledgedEventIsLostWhenTheLeaderIsKilledAndANewOneAcknowledgesAfterIt() throws Exception {
        // a role the replicas' clients would run: a configuration needs one
        NodeConfig config = new NodeConfig("replicas-test", new BrokerConfig("127.0.0.1:" + Demo.freeTcpPort(), "broker", null,
                null, null, null), null, null, null, null, null,
                List.of(new SipServerConfig("s1", "127.0.0.1:" + Demo.freeTcpPort(), null, null, "dialogs")), null, null);
        try (BrokerReplicas replicas = BrokerReplicas.start(dir, config.broker())) {
            NodeConfig clients = replicas.bootstrap(dir, config, Map.of(Witness.CHANNEL, Witness.CLASS));
            assertThat(clients.broker()).isNull();
            IdentityFile id = IdentityFile.load(dir.resolve(clients.connect().identity()));
            assertThat(id.replicas()).as("the client knows the three, the leader first").hasSize(3);
            Witness witness = new Witness(RemoteBrokerClient.connect(id, id.replicas(), ClientSettings.DEFAULT));
            try (AgentRunner runner = new AgentRunner(witness, 16, Clock.system()).start()) {
                await().atMost(PATIENCE).until(() -> witness.acknowledged() >= 20);
                String leader = replicas.leader().orElseThrow();
                long from = System.currentTimeMillis();
                replicas.kill(leader);
                runner.deliver(new Witness.Killed(from, System.currentTimeMillis()));
                assertThat(replicas.status()).filteredOn(s -> s.name().equals(leader)).singleElement()
                        .satisfies(s -> assertThat(s.up()).isFalse());
                await().atMost(PATIENCE).until(() -> witness.failoverSeconds() != null);
                assertThat(replicas.leader()).as("another replica leads").isPresent().get().isNotEqualTo(leader);
                assertThat(witness.failoverSeconds()).isPositive();

                replicas.restart(leader);
                long before = witness.acknowledged();
                await().atMost(PATIENCE).until(() -> witness.acknowledged() >= before + 20);
                runner.deliver(new Witness.Stop());
                assertThat(replicas.status()).allSatisfy(s -> assertThat(s.up()).isTrue());
                long acknowledged = witness.acknowledged();
                assertThat(replicas.missing(Witness.CHANNEL, acknowledged, PATIENCE))
                        .as("every replica's log holds every acknowledged event").isZero();
                assertThat(replicas.missing(Witness.CHANNEL, acknowledged + 1000, Duration.ofSeconds(1)))
                        .as("events never published are counted missing (a few were in flight at the stop)")
                        .isBetween(990L, 1000L);
            }
        }
    }
}
