package dev.d2r2.cluster.broker;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients of a three-replica cluster fail over to another replica when theirs, the leader, is
 * killed: the publisher sends its unacknowledged events again there (the cluster takes each
 * once) and the subscriber resumes after its last offset, which is the same event on every
 * replica: each event reaches it once, in order.
 */
class ClientFailoverClusterTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void publisherAndSubscriberOfTheKilledLeaderCarryOnThroughAnotherReplica() throws Exception {
        try (ReplicaProcesses replicas = new ReplicaProcesses(dir, 3);
             ClusterClient cluster = new ClusterClient(replicas.cluster, RaftTls.PLAIN, Duration.ofSeconds(20), Duration.ofSeconds(2))) {
            String leader = await().atMost(PATIENCE).ignoreExceptions()
                    .until(() -> cluster.status().leader().orElse(null), Objects::nonNull);
            byte[] secret;
            try (RemoteBrokerClient admin = replicas.connect(replicas.admin(leader), leader)) {
                secret = admin.register("carrier", null, false);
                admin.createChannel(new ChannelSpec("carried", ChannelClass.DEFAULT
                        .withPersistence(Persistence.LOG, FsyncPolicy.NEVER).withDurability(Durability.REPLICATED),
                        Set.of("*"), Set.of("*")));
            }
            List<String> order = new ArrayList<>(List.of(leader));
            replicas.names.stream().filter(n -> !n.equals(leader)).forEach(order::add);
            List<BrokerReplica> list = new ArrayList<>();
            for (String name : order) {
                list.add(new BrokerReplica("127.0.0.1:" + replicas.address(name).getPort(),
                        replicas.admin(name).brokerCertificatePem()));
            }
            IdentityFile carrier = replicas.as("carrier", secret, leader).withReplicas(list);

            List<Delivery> got = new CopyOnWriteArrayList<>();
            int total = 3000;
            try (RemoteBrokerClient sub = RemoteBrokerClient.connect(carrier);
                 RemoteBrokerClient pub = RemoteBrokerClient.connect(carrier)) {
                sub.subscribe("carried", StartPosition.live(), got::add);
                Publisher p = pub.publisher("carried");
                int i = 0;
                for (; i < 1000; i++) {
                    p.publish(event(i));
                }
                p.awaitAcknowledged(1000, PATIENCE);
                replicas.kill(leader);
                for (; i < total; i++) {
                    p.publish(event(i));
                }
                p.awaitAcknowledged(total, PATIENCE);
                await().atMost(PATIENCE).until(() -> got.size() >= total);

                assertThat(indexes(got)).as("each event once, in order").containsExactlyElementsOf(
                        LongStream.range(0, total).boxed().toList());
                assertThat(got.stream().map(Delivery::offset).toList()).isSorted().doesNotHaveDuplicates();
                assertThat(pub.failovers()).isPositive();
                assertThat(sub.failovers()).isPositive();
                assertThat(pub.address()).isNotEqualTo(list.getFirst().address());
                assertThat(sub.address()).isNotEqualTo(list.getFirst().address());
            }
        }
    }

    private static Event event(int index) {
        return Event.message("failover.test", index, "test", Map.of("index", index));
    }

    private static List<Long> indexes(List<Delivery> events) {
        return events.stream().map(d -> {
            try {
                return ((Number) d.event().attrs().get("index")).longValue();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }
}
