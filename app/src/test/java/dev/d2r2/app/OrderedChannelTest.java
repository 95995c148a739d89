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
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.client.ForwardedPublisher;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.broker.server.EventOrderer;
import dev.d2r2.broker.server.OrderedCommand;
import dev.d2r2.broker.server.RecordedChannel;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.cluster.config.ClusterFile;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code durability: ordered}: four in-process brokers (n = 4, f = 1), each with its HotStuff
 * replica on real TCP links (one JVM: four broker processes with their replicas are too slow on
 * a loaded 2-core host). Replica 3 is Byzantine: its links go through the test-only
 * {@link ByzantineOutbox} (honest, then equivocating, then tampering), and it proposes forged
 * commands of its own: garbage, an unknown channel, an unregistered publisher, an envelope
 * sealed with the wrong key, a genuine one with its payload altered, and replays of decided
 * events; and a correct replica is given a copy of a decided event sealed apart (another time
 * stamp, as a publisher sending to f + 1 entry replicas makes). A publisher over TLS is
 * acknowledged once its events are decided; then, with replica 3 silent, one that sends each
 * event to f + 1 = 2 entry replicas, replica 3 among them, gets every event taken once. The three correct replicas' logs are identical offset by offset, hold every event
 * once and nothing forged or replayed, and subscribers on two of them get the same order.
 */
class OrderedChannelTest {
    private static final int N = 4;
    private static final int LIAR = 3;
    private static final int EVENTS = 12;
    private static final String TAG = "critical";
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private final List<Broker> brokers = new ArrayList<>();
    private final List<BftOrderer> orderers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : clients.reversed()) {
            c.close();
        }
        for (BftOrderer o : orderers) {
            o.close();
        }
        for (Broker b : brokers) {
            b.close();
        }
    }

    /** The commands the Byzantine replica saw decided: the genuine ones it replays and alters. */
    private record Tap(EventOrderer real, List<byte[]> decided) implements EventOrderer {
        @Override
        public boolean submit(byte[] command) {
            return real.submit(command);
        }

        @Override
        public void onDecided(Decisions decisions) {
            real.onDecided((height, commands) -> {
                decided.addAll(commands);
                decisions.decided(height, commands);
            });
        }
    }

    private static ChannelSpec spec(Set<String> publishers) {
        return new ChannelSpec(TAG, new ChannelClass(Ordering.TOTAL, 5, Persistence.LOG, FsyncPolicy.NEVER, 8192,
                OverflowPolicy.DROP_OLDEST, FaultModel.BYZANTINE, Protection.PKS, Durability.ORDERED), publishers, Set.of("*"));
    }

    @Test
    void correctReplicasTakeTheSameEventsInTheSameOrderAndNothingForgedOrReplayed() throws Exception {
        List<KeyPair> replicaKeys = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("f: 1\nreplicas:\n");
        for (int i = 0; i < N; i++) {
            KeyPair k = Crypto.newSigningKeyPair();
            replicaKeys.add(k);
            yaml.append("  - name: r").append(i).append("\n    address: 127.0.0.1:").append(D2r2Processes.freePort())
                    .append("\n    publicKey: ").append(Base64.getEncoder().encodeToString(k.getPublic().getEncoded()))
                    .append('\n');
        }
        Files.writeString(dir.resolve("bft.yaml"), yaml);
        ClusterFile cluster = ClusterFile.load(dir.resolve("bft.yaml"));
        List<PublicKey> members = replicaKeys.stream().map(KeyPair::getPublic).toList();
        List<IdentityFile> publishers = new ArrayList<>();
        for (int i = 0; i < N - 1; i++) {
            KeyPair k = Crypto.newSigningKeyPair();
            publishers.add(new IdentityFile("p" + i, Crypto.randomBytes(Crypto.SECRET_BYTES), k.getPrivate(), k.getPublic(), "", ""));
        }
        Set<String> names = Set.of("p0", "p1", "p2");
        BftNode.Settings settings = new BftNode.Settings(Duration.ofMillis(500), new ReplicaConfig(100, 10_000, 64),
                CodecLimits.DEFAULTS);
        byte[][][] secrets = new byte[N - 1][N][];
        ByzantineOutbox[] liar = new ByzantineOutbox[1];
        List<byte[]> seenByLiar = new CopyOnWriteArrayList<>();
        EventOrderer liarOrderer = null;
        for (int i = 0; i < N; i++) {
            Broker b = Broker.open(dir.resolve("broker" + i), Clock.system());
            brokers.add(b);
            try (BrokerClient admin = b.connectLocal(Broker.ADMIN)) {
                assertThatThrownBy(() -> admin.createChannel(spec(names)))
                        .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                        .hasMessageContaining("runs none");
            }
            KeyPair own = replicaKeys.get(i);
            int self = i;
            UnaryOperator<dev.d2r2.bft.Outbox> faults = i != LIAR ? UnaryOperator.identity()
                    : real -> liar[0] = new ByzantineOutbox(self, N, real, new Ed25519Signatures(own.getPrivate(), members));
            BftOrderer orderer = BftOrderer.open(cluster, "r" + i, own.getPrivate(), settings, faults);
            orderers.add(orderer);
            EventOrderer wired = i == LIAR ? new Tap(orderer, seenByLiar) : orderer;
            if (i == LIAR) {
                liarOrderer = wired;
            }
            b.orderEvents(wired);
            try (BrokerClient admin = b.connectLocal(Broker.ADMIN)) {
                for (int k = 0; k < publishers.size(); k++) {
                    IdentityFile p = publishers.get(k);
                    byte[] secret = admin.register(p.name(), p.publicKey(), false);
                    secrets[k][i] = secret;
                    if (k == i) {
                        publishers.set(k, new IdentityFile(p.name(), secret, p.signingKey(), p.publicKey(), "", ""));
                    }
                }
                admin.createChannel(spec(names));
            }
        }
        orderers.forEach(BftOrderer::start);

        List<List<String>> delivered = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        for (int s = 0; s < 2; s++) {
            BrokerClient c = brokers.get(2 * s).connectLocal(Broker.ADMIN);
            clients.add(c);
            List<String> into = delivered.get(s);
            Subscription sub = c.subscribe(TAG, StartPosition.fromOffset(0), d -> into.add(line(d)));
            clients.add(sub);
        }
        List<Publisher> pubs = new ArrayList<>();
        for (int k = 0; k < N - 1; k++) {
            BrokerClient c = brokers.get(k).connectLocal(publishers.get(k));
            clients.add(c);
            pubs.add(c.publisher(TAG));
        }

        List<String> published = new CopyOnWriteArrayList<>();
        publishRound(pubs, "honest", published);
        EventOrderer byzantine = liarOrderer;
        List<byte[]> genuine = List.copyOf(seenByLiar.subList(0, 4));
        KeyPair mallory = Crypto.newSigningKeyPair();
        byte[] noSecret = new byte[Crypto.SECRET_BYTES];
        Envelope firstGenuine = Envelope.parse(Arrays.copyOfRange(genuine.getFirst(), 2 + TAG.length(), genuine.getFirst().length));
        List<byte[]> forged = List.of(
                "not a command".getBytes(StandardCharsets.UTF_8),
                OrderedCommand.encode("elsewhere", firstGenuine),
                OrderedCommand.encode(TAG, new ChannelSealer(TAG, Protection.PKS, "mallory", noSecret,
                        mallory.getPrivate(), null).seal(1, 1, bytes("from an unregistered publisher"))),
                OrderedCommand.encode(TAG, new ChannelSealer(TAG, Protection.PKS, "p0", noSecret,
                        mallory.getPrivate(), null).seal(1_000, 1, bytes("p0 forged with another key"))),
                altered(genuine.get(1)));
        for (byte[] f : forged) {
            assertThat(byzantine.submit(f)).isTrue();
        }
        for (byte[] g : genuine) {
            assertThat(byzantine.submit(g.clone())).isTrue();
        }
        IdentityFile p0 = publishers.getFirst();
        Envelope resealed = new ChannelSealer(TAG, Protection.PKS, "p0", p0.secret(), p0.signingKey(), null)
                .seal(1, 42, bytes("p0-honest-0"));
        assertThat(orderers.get(1).submit(OrderedCommand.encode(TAG, resealed))).isTrue();
        for (int i = 0; i < N; i++) {
            if (i == LIAR) {
                continue;
            }
            Broker b = brokers.get(i);
            await().atMost(PATIENCE).untilAsserted(() -> {
                assertThat(counter(b, "d2r2_broker_refusals", "reason", "ordered_malformed")).isEqualTo(1);
                assertThat(counter(b, "d2r2_broker_refusals", "reason", "ordered_unknown_channel")).isEqualTo(1);
                assertThat(counter(b, "d2r2_broker_refusals", "reason", "ordered_unknown_publisher")).isEqualTo(1);
                assertThat(counter(b, "d2r2_broker_refusals", "reason", "ordered_refused")).isEqualTo(2);
                assertThat(counter(b, "d2r2_broker_duplicates", "channel", TAG)).isEqualTo(genuine.size() + 1);
            });
        }

        liar[0].mode = ByzantineOutbox.Mode.EQUIVOCATE;
        publishRound(pubs, "equivocating", published);
        liar[0].mode = ByzantineOutbox.Mode.TAMPER;
        for (byte[] g : seenByLiar) {
            byzantine.submit(g.clone());
        }
        publishRound(pubs, "tampering", published);

        BrokerServer server = BrokerServer.start(brokers.get(1), new InetSocketAddress("127.0.0.1", 0));
        clients.add(server::close);
        IdentityFile admin1 = IdentityFile.load(brokers.get(1).adminIdentityPath());
        IdentityFile p1 = publishers.get(1);
        RemoteBrokerClient remote = RemoteBrokerClient.connect(new IdentityFile(p1.name(), p1.secret(), p1.signingKey(),
                p1.publicKey(), admin1.broker(), admin1.brokerCertificatePem()));
        clients.add(remote);
        Publisher overTls = remote.publisher(TAG);
        long last = 0;
        for (int i = 0; i < EVENTS; i++) {
            String payload = "p1-tls-" + i;
            last = overTls.publish(bytes(payload));
            published.add("p1 " + last + " " + payload);
        }
        overTls.awaitAcknowledged(last, PATIENCE);
        assertThat(overTls.acknowledged()).isEqualTo(EVENTS);

        liar[0].mode = ByzantineOutbox.Mode.SILENT;
        BrokerServer liarServer = BrokerServer.start(brokers.get(LIAR), new InetSocketAddress("127.0.0.1", 0));
        clients.add(liarServer::close);
        IdentityFile admin3 = IdentityFile.load(brokers.get(LIAR).adminIdentityPath());
        RemoteBrokerClient toLiar = RemoteBrokerClient.connect(new IdentityFile(p1.name(), secrets[1][LIAR], p1.signingKey(),
                p1.publicKey(), admin3.broker(), admin3.brokerCertificatePem()));
        clients.add(toLiar);
        RemoteBrokerClient toCorrect = RemoteBrokerClient.connect(new IdentityFile(p1.name(), p1.secret(), p1.signingKey(),
                p1.publicKey(), admin1.broker(), admin1.brokerCertificatePem()));
        clients.add(toCorrect);
        Publisher atTwo = ForwardedPublisher.open(List.of(toLiar, toCorrect), 1, TAG);
        for (int i = 0; i < EVENTS; i++) {
            String payload = "p1-two-entries-" + i;
            last = atTwo.publish(bytes(payload));
            published.add("p1 " + last + " " + payload);
        }
        atTwo.awaitAcknowledged(last, PATIENCE);

        List<List<String>> logs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (i != LIAR) {
                Broker b = brokers.get(i);
                await().atMost(PATIENCE).until(() -> log(b).size() >= published.size());
                logs.add(log(b));
            }
        }
        assertThat(logs.getFirst()).hasSize(published.size());
        assertThat(logs.get(1)).isEqualTo(logs.getFirst());
        assertThat(logs.get(2)).isEqualTo(logs.getFirst());
        assertThat(logs.getFirst()).extracting(l -> l.substring(l.indexOf(' ') + 1))
                .containsExactlyInAnyOrderElementsOf(published);
        for (List<String> d : delivered) {
            await().atMost(PATIENCE).until(() -> d.size() >= published.size());
            assertThat(d).isEqualTo(logs.getFirst());
        }
    }

    /** Each publisher publishes {@link #EVENTS} events on its own replica, concurrently; each returns once decided and taken there. */
    private static void publishRound(List<Publisher> pubs, String round, List<String> published) {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int k = 0; k < pubs.size(); k++) {
            Publisher p = pubs.get(k);
            String who = "p" + k;
            running.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < EVENTS; i++) {
                    String payload = who + "-" + round + "-" + i;
                    long seq = p.publish(bytes(payload));
                    published.add(who + " " + seq + " " + payload);
                }
            }));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).orTimeout(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** A decided command with one byte of its payload changed: its seal no longer verifies. */
    private static byte[] altered(byte[] command) {
        byte[] copy = command.clone();
        byte[] marker = bytes("-honest-");
        for (int i = 0; i + marker.length <= copy.length; i++) {
            if (Arrays.equals(copy, i, i + marker.length, marker, 0, marker.length)) {
                copy[i + 1] ^= 0x20;
                return copy;
            }
        }
        throw new AssertionError("no payload found in the command");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String line(Delivery d) {
        return d.offset() + " " + d.publisher() + " " + d.publisherSeq() + " " + new String(d.payload(), StandardCharsets.UTF_8);
    }

    private static List<String> log(Broker b) throws Exception {
        List<String> lines = new ArrayList<>();
        try (RecordedChannel r = b.readLog(TAG, 0)) {
            for (Delivery d; (d = r.next()) != null; ) {
                lines.add(line(d));
            }
        }
        return lines;
    }

    private static double counter(Broker b, String name, String label, String value) {
        return b.registry().scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals(name))
                .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
                .filter(d -> value.equals(d.getLabels().get(label)))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                .sum();
    }
}
