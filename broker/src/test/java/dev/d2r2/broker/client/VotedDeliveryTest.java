package dev.d2r2.broker.client;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.VotedSubscription.Copies;
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
    private static final int EVENTS = 1200;

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void aByzantineReplicaCannotMakeTheSubscriberDeliverATamperedForgedOrRepeatedEvent() throws Exception {
        VotedSubscription voted = run(N, Copies.WHOLE, ByzantineProxy.Mode.LIAR, false);
        assertThat(voted.disagreements(N - 1)).isGreaterThan(EVENTS / 6);
    }

    /**
     * Subscribed to 2f + 1 = 3 of the 4 replicas, the Byzantine one among them: only the two
     * correct ones can make up f + 1 matching copies, and they do, for every event.
     */
    @Test
    void subscribedToTwoFPlusOneReplicasWithTheByzantineOneAmongThemEveryEventIsDeliveredOnceAndUntampered()
            throws Exception {
        VotedSubscription voted = run(2 * F + 1, Copies.WHOLE, ByzantineProxy.Mode.LIAR, false);
        assertThat(voted.disagreements(2 * F)).isGreaterThan(EVENTS / 6);
    }

    /**
     * Digest copies, the Byzantine replica the one sending the events whole: its first copy is
     * tampered, refused, and the next replica carries the events from then on, sending again
     * whole those it had sent as digests; the liar goes on lying in its digests.
     */
    @Test
    void digestCopiesWithALyingCarrierAnotherReplicaCarriesTheEventsAndEachIsDeliveredOnceUntampered() throws Exception {
        VotedSubscription voted = run(2 * F + 1, Copies.DIGESTS, ByzantineProxy.Mode.LIAR, true);
        assertThat(voted.refusedCopies(0)).isPositive();
        assertThat(voted.disagreements(0)).isPositive();
        assertThat(voted.carrier()).isNotZero();
        assertThat(voted.carrierChanges()).isPositive();
    }

    /**
     * Digest copies, the replica sending the events whole silent: the two others attest every
     * event, the stall timeout passes, the next replica sends again whole what it had sent as
     * digests, and every event is delivered once.
     */
    @Test
    void digestCopiesWithASilentCarrierTheEventsComeOnceFromTheNextReplica() throws Exception {
        VotedSubscription voted = run(2 * F + 1, Copies.DIGESTS, ByzantineProxy.Mode.SILENT, true);
        assertThat(voted.carrier()).isNotZero();
        assertThat(voted.carrierChanges()).isPositive();
    }

    /**
     * Subscribes to {@code subscribed} - 1 correct replicas and the Byzantine one: the last, or
     * the first (then the one that sends the events whole when {@code copies} are digests).
     */
    private VotedSubscription run(int subscribed, Copies copies, ByzantineProxy.Mode mode, boolean liarFirst)
            throws Exception {
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
                        admin.brokerCertificatePem(), mode);
                brokers.open(proxy);
                sub = sub.withBroker(proxy.address(), proxy.certificatePem);
            }
            publishing.add(connect(pub));
            subscribing.add(connect(sub));
        }

        List<Delivery> got = new CopyOnWriteArrayList<>();
        List<RemoteBrokerClient> voters = new ArrayList<>(subscribing.subList(0, subscribed - 1));
        voters.add(liarFirst ? 0 : voters.size(), subscribing.get(N - 1));
        int liarIndex = liarFirst ? 0 : subscribed - 1;
        VotedSubscription voted = VotedSubscription.open(voters, F, CHANNEL, StartPosition.live(),
                VotedSubscription.DEFAULT_WINDOW, VotedSubscription.DEFAULT_STALL_TIMEOUT, copies, got::add);
        brokers.open(voted);
        int events = EVENTS;
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
        if (mode == ByzantineProxy.Mode.LIAR) {
            assertThat(liar.tampered.get()).isGreaterThan(events / 6);
            assertThat(liar.forged.get()).isGreaterThan(events / 10);
            assertThat(voted.duplicates(liarIndex)).isPositive();
        }
        for (int i = 0; i < subscribed; i++) {
            if (i != liarIndex) {
                assertThat(voted.disagreements(i)).as("correct replica %d", i).isZero();
                assertThat(voted.refusedCopies(i)).as("correct replica %d", i).isZero();
            }
        }
        assertThat(voted.skipped()).isZero();
        return voted;
    }

    private RemoteBrokerClient connect(IdentityFile id) throws IOException {
        RemoteBrokerClient c = RemoteBrokerClient.connect(id);
        brokers.open(c);
        return c;
    }
}
