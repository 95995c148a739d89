package dev.d2r2.cluster.broker;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.ForwardedPublisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Catch-up of a {@code forwarded} channel on a Raft cluster of three broker replicas, one JVM
 * each, forwarding to each other (identities replicated, so the channel keeps the default
 * protection): the publisher sends to b1 and b2; b3, which gets forwarded copies only, is
 * killed after 100 events, 1,000 more are published, and restarted it first applies the control
 * log, then takes the 1,000 from the others' logs: its log holds all 1,100 once, in order.
 */
class ForwardedCatchUpClusterTest {
    private static final String CHANNEL = "paths";
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aKilledReplicaCatchesUpFromTheOthersLogsWhenItRestarts() throws Exception {
        try (ReplicaProcesses replicas = new ReplicaProcesses(dir, 3)) {
            byte[] pub;
            byte[] fwd;
            try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
                pub = b1.register("pub", null, false);
                fwd = b1.register("fwd", null, true);
                b1.createChannel(new ChannelSpec(CHANNEL, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                        .withDurability(Durability.FORWARDED), Set.of("pub"), Set.of("pub")));
            }
            for (String name : replicas.names) {
                replicas.as("fwd", fwd, name).save(forwarder(name));
            }
            for (String name : replicas.names) {
                replicas.kill(name);
                replicas.restartForwarding(name, others(replicas, name));
            }

            List<RemoteBrokerClient> publishing = new ArrayList<>();
            for (String name : List.of("b1", "b2")) {
                publishing.add(replicas.connect(replicas.as("pub", pub, name), name));
            }
            try (ForwardedPublisher publisher = ForwardedPublisher.open(publishing, 1, CHANNEL)) {
                publish(publisher, 1, 100);
                await().atMost(CONVERGE).until(() -> logged(replicas, "b3") == 100);
                replicas.kill("b3");
                publish(publisher, 101, 1100);
                for (String name : List.of("b1", "b2")) {
                    await().atMost(CONVERGE).until(() -> logged(replicas, name) == 1100);
                }
            } finally {
                publishing.forEach(RemoteBrokerClient::close);
            }

            replicas.restartForwarding("b3", others(replicas, "b3"));
            assertThat(replicas.caughtUp("b3")).containsExactly("CAUGHT-UP " + CHANNEL + " 1000 0");
            List<Delivery> log = new CopyOnWriteArrayList<>();
            try (RemoteBrokerClient c = replicas.connect(replicas.as("pub", pub, "b3"), "b3")) {
                c.subscribe(CHANNEL, StartPosition.fromOffset(0), log::add);
                await().atMost(CONVERGE).until(() -> log.size() >= 1100);
            }
            assertThat(log).hasSize(1100);
            for (int i = 0; i < log.size(); i++) {
                assertThat(log.get(i).publisherSeq()).isEqualTo(i + 1);
                assertThat(new String(log.get(i).payload(), StandardCharsets.UTF_8)).contains("\"n\":" + (i + 1) + "}");
            }
        }
    }

    private Path forwarder(String name) {
        return dir.resolve("fwd-" + name + ".identity");
    }

    private List<Path> others(ReplicaProcesses replicas, String name) {
        return replicas.names.stream().filter(n -> !n.equals(name)).map(this::forwarder).toList();
    }

    private static void publish(ForwardedPublisher publisher, int from, int to) throws Exception {
        for (int n = from; n <= to; n++) {
            assertThat(publisher.publish(("{\"type\":\"sample\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))).isEqualTo(n);
        }
        publisher.awaitAcknowledged(to, CONVERGE);
    }

    private static long logged(ReplicaProcesses replicas, String name) {
        try (RemoteBrokerClient c = replicas.connect(replicas.admin(name), name)) {
            LogSpan span = c.logSpan(CHANNEL);
            return span == null ? 0 : span.nextOffset();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
