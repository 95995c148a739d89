package dev.d2r2.broker.client;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Forwarded delivery (crash faults, f = 1) against real broker processes, one JVM per replica:
 * the publisher sends each event to f + 1 = 2 replicas, one of which is killed with SIGKILL in
 * the middle of the stream. Client side alone (two replicas, no forwarding): a subscriber on both
 * gets every event once, the later copies dropped, and a plain subscriber on the survivor every
 * event once. With the replicas forwarding (three replicas): a subscriber on the third, which
 * the publisher never sends to, gets every event once, in order, from the forwarded copies.
 */
class ForwardedDeliveryTest {
    private static final int F = 1;
    private static final String CHANNEL = "paths";

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void everyEventReachesASubscriberOnceWhenOneOfTheFPlusOneReplicasIsKilledMidStream() throws Exception {
        KeyPair publisherKeys = Crypto.newSigningKeyPair();
        KeyPair subscriberKeys = Crypto.newSigningKeyPair();
        ClientSettings settings = ClientSettings.DEFAULT
                .withFailover(new FailoverPolicy(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1)));
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        List<RemoteBrokerClient> subscribing = new ArrayList<>();
        RemoteBrokerClient survivorOnly = null;
        for (int i = 0; i <= F; i++) {
            IdentityFile admin = brokers.start(dir.resolve("b" + i));
            IdentityFile pub;
            IdentityFile sub;
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
                c.createChannel(new ChannelSpec(CHANNEL, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                        .withDurability(Durability.FORWARDED), Set.of("pub"), Set.of("sub")));
                pub = BrokerProcesses.identity(c, admin, "pub", publisherKeys, false);
                sub = BrokerProcesses.identity(c, admin, "sub", subscriberKeys, false);
            }
            publishing.add(connect(pub, settings));
            subscribing.add(connect(sub, settings));
            if (i == F) {
                survivorOnly = connect(sub, settings);
            }
        }

        List<Delivery> firstCopies = new CopyOnWriteArrayList<>();
        ForwardedSubscription both = ForwardedSubscription.open(subscribing, CHANNEL, StartPosition.live(), firstCopies::add);
        brokers.open(both);
        List<Delivery> onSurvivor = new CopyOnWriteArrayList<>();
        brokers.open(survivorOnly.subscribe(CHANNEL, StartPosition.live(), onSurvivor::add));

        int events = 3000;
        ForwardedPublisher publisher = ForwardedPublisher.open(publishing, F, CHANNEL);
        brokers.open(publisher);
        for (int i = 1; i <= events; i++) {
            if (i == events / 2) {
                brokers.process(0).destroyForcibly().waitFor();
            }
            byte[] payload = ("{\"type\":\"sample\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(publisher.publish(payload)).isEqualTo(i);
        }
        publisher.awaitAcknowledged(events, Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(30)).until(() -> firstCopies.size() >= events && onSurvivor.size() >= events);
        assertDeliveredOnceInOrder(firstCopies, events);
        assertDeliveredOnceInOrder(onSurvivor, events);
        assertThat(both.delivered()).isEqualTo(events);
        assertThat(both.duplicates()).as("the killed replica's copies before it died").isPositive();
    }

    @Test
    void aReplicaThePublisherNeverReachesDeliversEveryEventOnceThroughForwardingWhileAReceivingReplicaIsKilled()
            throws Exception {
        ForwardingReplicas replicas = ForwardingReplicas.start(dir.resolve("forwarding"), 3);
        brokers.open(replicas);
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        for (int i = 0; i <= F; i++) {
            publishing.add(replicas.publisher(i));
        }

        List<Delivery> onThird = new CopyOnWriteArrayList<>();
        brokers.open(replicas.subscriber(2).subscribe(CHANNEL, StartPosition.live(), onThird::add));
        List<Delivery> onSecond = new CopyOnWriteArrayList<>();
        brokers.open(replicas.subscriber(1).subscribe(CHANNEL, StartPosition.live(), onSecond::add));

        int events = 3000;
        ForwardedPublisher publisher = ForwardedPublisher.open(publishing, F, CHANNEL);
        brokers.open(publisher);
        for (int i = 1; i <= events; i++) {
            if (i == events / 2) {
                replicas.kill(0);
            }
            byte[] payload = ("{\"type\":\"sample\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            assertThat(publisher.publish(payload)).isEqualTo(i);
        }
        publisher.awaitAcknowledged(events, Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(30)).until(() -> onThird.size() >= events && onSecond.size() >= events);
        assertDeliveredOnceInOrder(onThird, events);
        assertDeliveredOnceInOrder(onSecond, events);
        String stats = replicas.stats(2);
        assertThat(ForwardingReplicas.stat(stats, "duplicates")).as("copies forwarded by both replicas, stored once: %s", stats)
                .isPositive();
        assertThat(stats).endsWith(" integrity 0");
    }

    private static void assertDeliveredOnceInOrder(List<Delivery> got, int events) {
        assertThat(got).hasSize(events);
        for (int i = 0; i < events; i++) {
            assertThat(got.get(i).publisher()).isEqualTo("pub");
            assertThat(got.get(i).publisherSeq()).isEqualTo(i + 1);
            assertThat(new String(got.get(i).payload(), StandardCharsets.UTF_8)).contains("\"n\":" + (i + 1) + "}");
        }
    }

    private RemoteBrokerClient connect(IdentityFile id, ClientSettings settings) throws IOException {
        RemoteBrokerClient c = RemoteBrokerClient.connect(id, id.replicasAt(List.of(id.broker())), settings);
        brokers.open(c);
        return c;
    }
}
