package dev.d2r2.app;

import dev.d2r2.app.bft.BftOrderer;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.bft.net.ByzantineOutbox;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.broker.server.RecordedChannel;
import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.SignedCommand;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.state.ControlState;
import dev.d2r2.core.Clock;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Control commands on a Byzantine cluster: four in-process brokers (n = 4, f = 1), each with its
 * HotStuff replica on real TCP links, and administrator {@code root} in the cluster file.
 * Commands signed by {@code root} (or by an administrator it registered) and sent to any replica
 * are decided and applied by all four: a channel and a publisher registered through replica 2
 * (over TLS) are usable through replica 3, a revocation through replica 0 is refused by all.
 * Replica 1 is Byzantine (the test-only {@link ByzantineOutbox}, equivocating while its forgeries
 * are ordered) and orders, bypassing its entry checks, a malformed command, commands signed with
 * the wrong key, by a non-administrator, for another cluster, with no signature, and a replay of
 * a genuine one: every correct replica refuses and counts each, and the control states'
 * digests stay equal to the digest of the genuine commands applied alone.
 */
class ByzantineControlTest {
    private static final int N = 4;
    private static final int LIAR = 1;
    private static final String TAG = "critical";
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private final List<Broker> brokers = new ArrayList<>();
    private final List<BftOrderer> orderers = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        for (BftOrderer o : orderers) {
            o.close();
        }
        for (Broker b : brokers) {
            b.close();
        }
    }

    private static ChannelSpec ordered(Set<String> publishers) {
        return new ChannelSpec(TAG, new ChannelClass(Ordering.TOTAL, 5, Persistence.LOG, FsyncPolicy.NEVER, 8192,
                OverflowPolicy.DROP_OLDEST, FaultModel.BYZANTINE, Protection.PKS, Durability.ORDERED), publishers, Set.of("*"));
    }

    @Test
    void signedCommandsReachEveryReplicaAndForgeriesNone() throws Exception {
        KeyPair root = Crypto.newSigningKeyPair();
        List<KeyPair> replicaKeys = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("group: bftctl\nf: 1\nreplicas:\n");
        for (int i = 0; i < N; i++) {
            KeyPair k = Crypto.newSigningKeyPair();
            replicaKeys.add(k);
            yaml.append("  - name: r").append(i).append("\n    address: 127.0.0.1:").append(D2r2Processes.freePort())
                    .append("\n    publicKey: ").append(base64(k.getPublic())).append('\n');
        }
        yaml.append("admins:\n  - name: root\n    publicKey: ").append(base64(root.getPublic())).append('\n');
        Files.writeString(dir.resolve("bft.yaml"), yaml);
        ClusterFile cluster = ClusterFile.load(dir.resolve("bft.yaml"));
        List<PublicKey> members = replicaKeys.stream().map(KeyPair::getPublic).toList();
        BftNode.Settings settings = new BftNode.Settings(Duration.ofMillis(500), new ReplicaConfig(100, 10_000, 64),
                CodecLimits.DEFAULTS);
        ByzantineOutbox[] liar = new ByzantineOutbox[1];
        for (int i = 0; i < N; i++) {
            Broker b = Broker.open(dir.resolve("broker" + i), Clock.system());
            brokers.add(b);
            KeyPair own = replicaKeys.get(i);
            int self = i;
            UnaryOperator<dev.d2r2.bft.Outbox> faults = i != LIAR ? UnaryOperator.identity()
                    : real -> liar[0] = new ByzantineOutbox(self, N, real, new Ed25519Signatures(own.getPrivate(), members));
            BftOrderer orderer = BftOrderer.open(cluster, "r" + i, own.getPrivate(), settings, faults);
            orderers.add(orderer);
            b.orderEvents(orderer);
            orderer.governControl(b, cluster);
        }
        orderers.forEach(BftOrderer::start);
        String initial = orderers.getFirst().control().digest();

        // A plain request is refused: no replica speaks for an administrator.
        try (BrokerClient admin = brokers.get(2).connectLocal(Broker.ADMIN)) {
            assertThatThrownBy(() -> admin.createChannel(ordered(Set.of())))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                    .hasMessageContaining("signed by one of its administrators");
        }

        // Through replica 2, over TLS: a publisher identity and an ordered channel.
        KeyPair pKeys = Crypto.newSigningKeyPair();
        KeyPair opsKeys = Crypto.newSigningKeyPair();
        ControlCommand.AddIdentity addP = ControlCommand.AddIdentity.fresh("p", pKeys.getPublic().getEncoded(), false);
        ControlCommand.CreateChannel create = ControlCommand.CreateChannel.fresh(ordered(Set.of("p")));
        ControlCommand.AddIdentity addOps = ControlCommand.AddIdentity.fresh("ops", opsKeys.getPublic().getEncoded(), true);
        byte[] createSigned = sign(cluster, "root", root, create);
        BrokerServer server = BrokerServer.start(brokers.get(2), new InetSocketAddress("127.0.0.1", 0));
        closing.add(server::close);
        IdentityFile admin2 = IdentityFile.load(brokers.get(2).adminIdentityPath());
        try (RemoteBrokerClient overTls = RemoteBrokerClient.connect(admin2)) {
            assertThat(overTls.submitSigned(sign(cluster, "root", root, addP))).isEqualTo("identity p added");
            assertThat(overTls.submitSigned(createSigned)).isEqualTo("channel " + TAG + " created");
            assertThat(overTls.submitSigned(sign(cluster, "root", root, addOps))).isEqualTo("identity ops added (admin)");
            // The entry replica refuses a forgery itself, before it is ordered.
            assertThatThrownBy(() -> overTls.submitSigned(sign(cluster, "root", Crypto.newSigningKeyPair(),
                    ControlCommand.AddIdentity.fresh("eve", null, true))))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
            assertThatThrownBy(() -> overTls.submitSigned(createSigned))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                    .hasMessageContaining("applied before");
        }
        assertThat(counter(brokers.get(2), "d2r2_bft_control_entry_refusals", "forged")).isEqualTo(1);
        assertThat(counter(brokers.get(2), "d2r2_bft_control_entry_refusals", "replayed")).isEqualTo(1);
        IdentityFile p = new IdentityFile("p", addP.secret(), pKeys.getPrivate(), pKeys.getPublic(), "", "");
        for (Broker b : brokers) {
            await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
                try (BrokerClient admin = b.connectLocal(Broker.ADMIN)) {
                    assertThat(admin.channel(TAG).publishers()).containsExactly("p");
                }
                b.connectLocal(p).close();
            });
        }

        // An administrator registered by a command signs commands too; a refusal by the state is answered.
        ControlCommand.CreateChannel audit = ControlCommand.CreateChannel.fresh(new ChannelSpec("audit", ChannelClass.DEFAULT,
                Set.of(), Set.of()));
        try (BrokerClient admin = brokers.get(3).connectLocal(Broker.ADMIN)) {
            assertThat(admin.submitSigned(sign(cluster, "ops", opsKeys, audit))).isEqualTo("channel audit created");
            assertThatThrownBy(() -> admin.submitSigned(sign(cluster, "ops", opsKeys,
                    ControlCommand.CreateChannel.fresh(ordered(Set.of())))))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CHANNEL_EXISTS));
        }

        // Published through replica 3, taken by all four at the same offset.
        try (BrokerClient c = brokers.get(3).connectLocal(p); Publisher pub = c.publisher(TAG)) {
            long seq = pub.publish("through replica 3".getBytes(StandardCharsets.UTF_8));
            pub.awaitAcknowledged(seq, PATIENCE);
        }
        for (Broker b : brokers) {
            await().atMost(PATIENCE).until(() -> log(b).size() == 1);
            assertThat(log(b)).containsExactly("0 p through replica 3");
        }

        // Replica 1 orders forgeries of its own while it equivocates.
        liar[0].mode = ByzantineOutbox.Mode.EQUIVOCATE;
        KeyPair mallory = Crypto.newSigningKeyPair();
        ControlCommand.AddIdentity eve = ControlCommand.AddIdentity.fresh("eve", mallory.getPublic().getEncoded(), true);
        byte[] unsignedWithMarker = sign(cluster, "root", root, eve);
        Arrays.fill(unsignedWithMarker, unsignedWithMarker.length - 64, unsignedWithMarker.length, (byte) 0);
        List<byte[]> forged = List.of(
                new byte[]{0, 0, 1, 2, 3},
                sign(cluster, "root", mallory, eve),
                sign(cluster, "mallory", mallory, eve),
                sign(new ClusterFile("elsewhere", cluster.f(), cluster.replicas(), null, cluster.admins()), "root", root, eve),
                unsignedWithMarker,
                createSigned.clone());
        for (byte[] f : forged) {
            assertThat(orderers.get(LIAR).submit(f)).isTrue();
        }
        assertThat(orderers.get(LIAR).submit(CommandCodec.encode(eve))).isTrue();
        for (int i = 0; i < N; i++) {
            if (i == LIAR) {
                continue;
            }
            Broker b = brokers.get(i);
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(counter(b, "d2r2_bft_control_refusals", "control_malformed")).isEqualTo(1);
                assertThat(counter(b, "d2r2_bft_control_refusals", "control_forged")).isEqualTo(3);
                assertThat(counter(b, "d2r2_bft_control_refusals", "control_unauthorised")).isEqualTo(1);
                assertThat(counter(b, "d2r2_bft_control_refusals", "control_replayed")).isEqualTo(1);
                assertThat(counter(b, "d2r2_broker_refusals", "ordered_malformed")).isEqualTo(1);
            });
        }
        liar[0].mode = ByzantineOutbox.Mode.HONEST;

        // Revoked through replica 0: refused by all four.
        try (BrokerClient admin = brokers.get(0).connectLocal(Broker.ADMIN)) {
            assertThat(admin.submitSigned(sign(cluster, "root", root, new ControlCommand.RevokeIdentity("p"))))
                    .isEqualTo("identity p revoked");
        }
        for (Broker b : brokers) {
            await().atMost(PATIENCE).untilAsserted(() -> assertThatThrownBy(() -> b.connectLocal(p).close())
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_IDENTITY)));
        }
        IdentityFile pOverTls = new IdentityFile("p", addP.secret(), pKeys.getPrivate(), pKeys.getPublic(),
                admin2.broker(), admin2.brokerCertificatePem());
        assertThatThrownBy(() -> RemoteBrokerClient.connect(pOverTls).close())
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));

        // Every replica holds the state of the genuine commands alone.
        ControlState expected = new ControlState();
        for (ControlCommand c : List.of(addP, create, addOps, audit, new ControlCommand.RevokeIdentity("p"))) {
            assertThat(expected.apply(c).applied()).isTrue();
        }
        for (BftOrderer o : orderers) {
            await().atMost(PATIENCE).until(() -> o.control().digest().equals(expected.digest()));
        }
        assertThat(expected.digest()).isNotEqualTo(initial);
        assertThat(expected.identities()).doesNotContainKey("eve");
        for (Broker b : brokers) {
            assertThat(gaugeLabel(b, "d2r2_bft_control_digest_info", "digest")).isEqualTo(expected.digest());
        }
    }

    private static byte[] sign(ClusterFile cluster, String signer, KeyPair key, ControlCommand command) {
        return SignedCommand.sign(cluster.group(), signer, key.getPrivate(), command);
    }

    private static String base64(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    private static List<String> log(Broker b) throws Exception {
        List<String> lines = new ArrayList<>();
        try (RecordedChannel r = b.readLog(TAG, 0)) {
            for (Delivery d; (d = r.next()) != null; ) {
                lines.add(d.offset() + " " + d.publisher() + " " + new String(d.payload(), StandardCharsets.UTF_8));
            }
        }
        return lines;
    }

    private static double counter(Broker b, String name, String reason) {
        return b.registry().scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals(name))
                .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
                .filter(d -> reason.equals(d.getLabels().get("reason")))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                .sum();
    }

    private static String gaugeLabel(Broker b, String name, String label) {
        return b.registry().scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals(name))
                .flatMap(m -> m.getDataPoints().stream())
                .map(d -> d.getLabels().get(label))
                .findFirst().orElseThrow();
    }
}
