package dev.d2r2.broker.client;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.BrokerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
    private final List<Process> brokers = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        for (Process p : brokers) {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aByzantineReplicaCannotMakeTheSubscriberDeliverATamperedForgedOrRepeatedEvent() throws Exception {
        KeyPair publisherKeys = Crypto.newSigningKeyPair();
        KeyPair subscriberKeys = Crypto.newSigningKeyPair();
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        List<RemoteBrokerClient> subscribing = new ArrayList<>();
        ByzantineProxy proxy = null;
        for (int i = 0; i < N; i++) {
            IdentityFile admin = startBroker(dir.resolve("b" + i));
            IdentityFile pub;
            IdentityFile sub;
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
                c.createChannel(new ChannelSpec(CHANNEL, ChannelClass.DEFAULT
                        .withProtection(FaultModel.BYZANTINE, Protection.HA), Set.of("pub"), Set.of("sub")));
                pub = identity(c, admin, "pub", publisherKeys);
                sub = identity(c, admin, "sub", subscriberKeys);
            }
            if (i == N - 1) {
                proxy = new ByzantineProxy(dir.resolve("proxy"), dev.d2r2.core.HostPort.parse(admin.broker()),
                        admin.brokerCertificatePem());
                open.add(proxy);
                sub = sub.withBroker(proxy.address(), proxy.certificatePem);
            }
            publishing.add(connect(pub));
            subscribing.add(connect(sub));
        }

        List<Delivery> got = new CopyOnWriteArrayList<>();
        VotedSubscription voted = VotedSubscription.open(subscribing, F, CHANNEL, StartPosition.live(), got::add);
        open.add(voted);
        int events = 1200;
        List<byte[]> sent = new ArrayList<>();
        ReplicatedPublisher publisher = ReplicatedPublisher.open(publishing, F, CHANNEL);
        open.add(publisher);
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
        assertThat(voted.disagreements(N - 1)).isGreaterThan(events / 6);
        assertThat(voted.duplicates(N - 1)).isPositive();
        for (int i = 0; i < N - 1; i++) {
            assertThat(voted.disagreements(i)).as("correct replica %d", i).isZero();
        }
        assertThat(voted.skipped()).isZero();
    }

    private RemoteBrokerClient connect(IdentityFile id) throws IOException {
        RemoteBrokerClient c = RemoteBrokerClient.connect(id);
        open.add(c);
        return c;
    }

    private static IdentityFile identity(RemoteBrokerClient admin, IdentityFile adminId, String name, KeyPair keys) {
        byte[] secret = admin.register(name, keys.getPublic(), false);
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), adminId.broker(),
                adminId.brokerCertificatePem());
    }

    private IdentityFile startBroker(Path data) throws IOException {
        return BrokerProcess.start(data, brokers);
    }
}
