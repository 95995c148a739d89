package dev.d2r2.broker.client;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
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
 * Voted delivery against four real broker processes (n = 4, f = 1), one of them Byzantine: a
 * proxy between it and the subscriber tampers with payloads, forges sequence numbers, replays,
 * drops and equivocates. Nothing tampered is delivered, and every event exactly once, in order.
 */
class VotedDeliveryTest {
    private static final int N = 4;
    private static final int F = 1;
    private static final String CHANNEL = "critical";

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void aByzantineReplicaCannotMakeTheSubscriberDeliverATamperedForgedOrRepeatedEvent() throws Exception {
        run(N);
    }

    /**
     * Subscribed to 2f + 1 = 3 of the 4 replicas, the Byzantine one among them: only the two
     * correct ones can make up f + 1 matching copies, and they do, for every event.
     */
    @Test
    void subscribedToTwoFPlusOneReplicasWithTheByzantineOneAmongThemEveryEventIsDeliveredOnceAndUntampered()
            throws Exception {
        run(2 * F + 1);
    }

    /** Subscribes to the first {@code subscribed} - 1 correct replicas and the Byzantine one (the last). */
    private void run(int subscribed) throws Exception {
        KeyPair publisherKeys = Crypto.newSigningKeyPair();
        KeyPair subscriberKeys = Crypto.newSigningKeyPair();
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        List<RemoteBrokerClient> subscribing = new ArrayList<>();
        ByzantineProxy proxy = null;
        for (int i = 0; i < N; i++) {
            IdentityFile admin = brokers.start(dir.resolve("b" + i));
            IdentityFile pub;
            IdentityFile sub;
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
                c.createChannel(new ChannelSpec(CHANNEL, ChannelClass.DEFAULT
                        .withProtection(FaultModel.BYZANTINE, Protection.HA), Set.of("pub"), Set.of("sub")));
                pub = BrokerProcesses.identity(c, admin, "pub", publisherKeys, false);
                sub = BrokerProcesses.identity(c, admin, "sub", subscriberKeys, false);
            }
            if (i == N - 1) {
                proxy = new ByzantineProxy(dir.resolve("proxy"), dev.d2r2.core.HostPort.parse(admin.broker()),
                        admin.brokerCertificatePem());
                brokers.open(proxy);
                sub = sub.withBroker(proxy.address(), proxy.certificatePem);
            }
            publishing.add(connect(pub));
            subscribing.add(connect(sub));
        }

        List<Delivery> got = new CopyOnWriteArrayList<>();
        List<RemoteBrokerClient> voters = new ArrayList<>(subscribing.subList(0, subscribed - 1));
        voters.add(subscribing.get(N - 1));
        int liarIndex = subscribed - 1;
        VotedSubscription voted = VotedSubscription.open(voters, F, CHANNEL, StartPosition.live(), got::add);
        brokers.open(voted);
        int events = 1200;
        List<byte[]> sent = new ArrayList<>();
        ReplicatedPublisher publisher = ReplicatedPublisher.open(publishing, F, CHANNEL);
        brokers.open(publisher);
        for (int i = 1; i <= events; i++) {
            byte[] payload = ("{\"type\":\"alarm\",\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 97) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            sent.add(payload);
            assertThat(publisher.publish(payload)).isEqualTo(i);
        }
        publisher.awaitAcknowledged(events, Duration.ofSeconds(30));
        assertThat(publisher.acknowledged()).isEqualTo(events);

        ByzantineProxy liar = proxy;
        await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= events
                && liar.dropped.get() + liar.replayed.get() >= events / 3);
        assertThat(got).hasSize(events);
        for (int i = 0; i < events; i++) {
            assertThat(got.get(i).publisher()).isEqualTo("pub");
            assertThat(got.get(i).publisherSeq()).isEqualTo(i + 1);
            assertThat(got.get(i).payload()).as("event %d", i + 1).isEqualTo(sent.get(i));
        }
        assertThat(liar.tampered.get()).isGreaterThan(events / 6);
        assertThat(liar.forged.get()).isGreaterThan(events / 10);
        assertThat(voted.disagreements(liarIndex)).isGreaterThan(events / 6);
        assertThat(voted.duplicates(liarIndex)).isPositive();
        for (int i = 0; i < liarIndex; i++) {
            assertThat(voted.disagreements(i)).as("correct replica %d", i).isZero();
        }
        assertThat(voted.skipped()).isZero();
    }

    private RemoteBrokerClient connect(IdentityFile id) throws IOException {
        RemoteBrokerClient c = RemoteBrokerClient.connect(id);
        brokers.open(c);
        return c;
    }
}
