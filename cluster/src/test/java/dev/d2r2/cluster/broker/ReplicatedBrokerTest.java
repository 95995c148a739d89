package dev.d2r2.cluster.broker;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.cluster.events.EventBatch;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.FailoverPolicy;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.tls.RaftTls;
import dev.d2r2.cluster.raft.ClusterStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three broker replicas, one JVM each, shared by the tests: identities and channels registered
 * on any replica, through the ordinary client protocol, reach every replica's broker; events of
 * a replicated channel are in every replica's log at the same offsets, through a leader killed
 * with {@code kill -9}, a replica stopped with SIGSTOP, a replica restarted; an event sent again
 * is taken once; a channel deleted and an identity revoked through one replica are gone on every
 * replica. Each test leaves all three running.
 */
class ReplicatedBrokerTest {
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    static Path dir;
    static ReplicaProcesses replicas;
    static ClusterClient cluster;

    @BeforeAll
    static void start() throws Exception {
        replicas = new ReplicaProcesses(dir, 3);
        cluster = new ClusterClient(replicas.cluster, RaftTls.PLAIN, Duration.ofSeconds(20), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
        replicas.close();
    }

    @AfterEach
    void allRunning() throws IOException {
        for (String name : replicas.names) {
            if (!replicas.isRunning(name)) {
                replicas.restart(name);
            }
        }
    }

    /** A cluster-wide identity that may publish and subscribe on replicated channels. */
    private static byte[] pubSecret;
    private static final String PUB = "pub";

    private static synchronized byte[] pub() throws IOException {
        if (pubSecret == null) {
            try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
                pubSecret = b1.register(PUB, null, false);
            }
        }
        return pubSecret;
    }

    private static RemoteBrokerClient pubAt(String replica) throws IOException {
        return replicas.connect(replicas.as(PUB, pub(), replica), replica);
    }

    /** A new replicated channel (a log, fsync never: the Raft log is what makes it durable). */
    private static String replicatedChannel() throws IOException {
        pub();
        String tag = unique("replicated");
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER)
                    .withDurability(Durability.REPLICATED), Set.of("*"), Set.of("*")));
        }
        return tag;
    }

    /** One line per logged event of {@code tag} on {@code replica}, read from offset 0 until {@code count} came. */
    private static List<String> log(String replica, String tag, int count) throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        try (RemoteBrokerClient c = pubAt(replica)) {
            c.subscribe(tag, StartPosition.fromOffset(0), d -> got.add(d.offset() + " " + key(d) + " " + d.publishTime()
                    + " " + HexFormat.of().formatHex(d.payload())));
            await().atMost(CONVERGE).until(() -> got.size() >= count);
        }
        return List.copyOf(got);
    }

    /** What identifies a test event: the replica it was published through, and its sequence number there. */
    private static String key(Delivery d) {
        try {
            return d.event().source() + "#" + d.publisherSeq();
        } catch (EventFormatException e) {
            return "unreadable";
        }
    }

    /** Every replica's log of {@code tag} is the same, offsets 0.. in order, each of {@code expected} once. */
    private static void assertLogsIdentical(String tag, Set<String> expected) throws Exception {
        List<String> first = null;
        for (String r : replicas.names) {
            List<String> log = log(r, tag, expected.size());
            assertThat(log).as("log of %s on %s", tag, r).hasSize(expected.size());
            for (int i = 0; i < log.size(); i++) {
                assertThat(log.get(i)).startsWith(i + " ");
            }
            assertThat(log.stream().map(l -> l.split(" ")[1]).collect(Collectors.toSet())).isEqualTo(expected);
            if (first == null) {
                first = log;
            } else {
                assertThat(log).as("log of %s on %s", tag, r).isEqualTo(first);
            }
        }
    }

    /** Publishes {@code n} events on {@code tag} through {@code replica}, all acknowledged; returns their keys. */
    private static Set<String> publish(String replica, String tag, int n) throws Exception {
        Set<String> sent = new java.util.TreeSet<>();
        try (RemoteBrokerClient c = pubAt(replica); Publisher p = c.publisher(tag)) {
            long seq = 0;
            for (int i = 0; i < n; i++) {
                seq = p.publish(Event.message("test.replicated", i, replica, Map.of("i", i)));
                sent.add(replica + "#" + seq);
            }
            p.awaitAcknowledged(seq, CONVERGE);
        }
        return sent;
    }

    private static String leader() {
        return await().atMost(CONVERGE).ignoreExceptions().until(() -> cluster.status().leader().orElse(null),
                java.util.Objects::nonNull);
    }

    @Test
    void eventsPublishedOnAnyReplicaAreInEveryReplicasLogAtTheSameOffsets() throws Exception {
        String tag = replicatedChannel();
        Set<String> sent = new java.util.HashSet<>();
        for (String r : replicas.names) {
            sent.addAll(publish(r, tag, 300));
        }
        assertThat(sent).hasSize(900);
        assertLogsIdentical(tag, sent);
        awaitConverged();
    }

    @Test
    void killingTheLeaderWhilePublishingLosesNoAcknowledgedEventAndDuplicatesNone() throws Exception {
        String tag = replicatedChannel();
        String leader = leader();
        String through = replicas.names.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        Set<String> sent = new java.util.TreeSet<>();
        try (RemoteBrokerClient c = pubAt(through); Publisher p = c.publisher(tag)) {
            long seq = 0;
            for (int i = 0; i < 4000; i++) {
                seq = p.publish(Event.message("test.replicated", i, through, Map.of("i", i)));
                sent.add(through + "#" + seq);
                if (i == 1000) {
                    p.awaitAcknowledged(seq, CONVERGE);
                    replicas.kill(leader);
                }
            }
            p.awaitAcknowledged(seq, CONVERGE);
        }
        String next = leader();
        assertThat(next).isNotEqualTo(leader);
        replicas.restart(leader);
        assertLogsIdentical(tag, sent);
        awaitConverged();
    }

    @Test
    void aStoppedReplicaCatchesUpWhenItContinues() throws Exception {
        String tag = replicatedChannel();
        String leader = leader();
        String stopped = replicas.names.stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        replicas.signal(stopped, "STOP");
        Set<String> sent;
        try {
            sent = publish(leader, tag, 500);
        } finally {
            replicas.signal(stopped, "CONT");
        }
        assertLogsIdentical(tag, sent);
    }

    @Test
    void aChannelCreatedWhileAReplicaWasStoppedIsUsableThereAsSoonAsItContinues() throws Exception {
        pub();
        awaitConverged();
        String leader = leader();
        String stopped = replicas.names.stream().filter(n -> !n.equals(leader) && !n.equals("b1")).findFirst().orElseThrow();
        replicas.signal(stopped, "STOP");
        String tag;
        try {
            tag = replicatedChannel();
        } finally {
            replicas.signal(stopped, "CONT");
        }
        assertThat(publish(stopped, tag, 10)).hasSize(10);
    }

    @Test
    void anEventSentAgainInAnotherLogEntryIsTakenOnce() throws Exception {
        String tag = replicatedChannel();
        byte[] envelope = Envelope.ofEvent(PUB, 1, 1234, Event.message("test.retried", 1, "retry", Map.of())).bytes();
        byte[] other = Envelope.ofEvent(PUB, 2, 1234, Event.message("test.retried", 2, "retry", Map.of())).bytes();
        cluster.appendAsync(new EventBatch(tag, 99, List.of(envelope)).encode()).get();
        cluster.appendAsync(new EventBatch(tag, 99, List.of(envelope, other)).encode()).get();
        assertLogsIdentical(tag, Set.of("retry#1", "retry#2"));
    }

    private static String unique(String prefix) {
        return prefix + NEXT.incrementAndGet();
    }

    private static ChannelSpec channel(String tag, Set<String> publishers) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT, publishers, Set.of());
    }

    /** Every replica answers with one control-state digest. */
    private static void awaitConverged() {
        await().atMost(CONVERGE).until(() -> cluster.status(), ClusterStatus::converged);
    }

    @Test
    void changesMadeOnAnyReplicaReachEveryReplicasBroker() throws Exception {
        String tag = unique("orders");
        String alice = unique("alice");
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.createChannel(channel(tag, Set.of()));
        }
        byte[] secret;
        try (RemoteBrokerClient b2 = replicas.connect(replicas.admin("b2"), "b2")) {
            secret = b2.register(alice, null, false);
        }
        try (RemoteBrokerClient b3 = replicas.connect(replicas.admin("b3"), "b3")) {
            b3.alterChannel(channel(tag, Set.of(alice)));
            assertThatThrownBy(() -> b3.createChannel(channel(tag, Set.of())))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CHANNEL_EXISTS));
        }
        for (String at : replicas.names) {
            await().atMost(CONVERGE).ignoreExceptions().untilAsserted(() -> {
                try (RemoteBrokerClient c = replicas.connect(replicas.as(alice, secret, at), at)) {
                    assertThat(c.channel(tag).publishers()).as("channel %s on %s", tag, at).containsExactly(alice);
                }
            });
        }
        awaitConverged();
    }

    @Test
    void aReplicaKilledAndStartedAgainCatchesUp() throws Exception {
        replicas.kill("b3");
        String tag = unique("missed");
        String bob = unique("bob");
        byte[] secret;
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            secret = b1.register(bob, null, false);
            b1.createChannel(channel(tag, Set.of(bob)));
        }
        replicas.restart("b3");
        await().atMost(CONVERGE).ignoreExceptions().untilAsserted(() -> {
            try (RemoteBrokerClient c = replicas.connect(replicas.as(bob, secret, "b3"), "b3")) {
                assertThat(c.channel(tag).publishers()).containsExactly(bob);
            }
        });
        awaitConverged();
    }

    @Test
    void anIdentityTakenOnOneReplicaIsRefusedOnAnother() throws Exception {
        String carol = unique("carol");
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.register(carol, null, false);
        }
        try (RemoteBrokerClient b2 = replicas.connect(replicas.admin("b2"), "b2")) {
            assertThatThrownBy(() -> b2.register(carol, null, false))
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IDENTITY_EXISTS));
        }
    }

    /** Records how a subscription ended. */
    private static final class Ending implements dev.d2r2.broker.DeliveryHandler {
        volatile BrokerException cause;

        @Override
        public void onEvent(Delivery d) {
        }

        @Override
        public void onClosed(BrokerException e) {
            cause = e;
        }
    }

    /** {@code name}'s client at replica {@code at} only, that reports a lost connection at once instead of trying again. */
    private static RemoteBrokerClient once(String name, byte[] secret, String at) throws IOException {
        var id = replicas.as(name, secret, at);
        return RemoteBrokerClient.connect(id, id.replicas(), ClientSettings.DEFAULT.withFailover(FailoverPolicy.NONE));
    }

    @Test
    void aChannelDeletedAndAnIdentityRevokedThroughOneReplicaAreGoneOnEvery() throws Exception {
        String doomed = unique("doomed");
        String kept = unique("kept");
        String dave = unique("dave");
        byte[] secret;
        try (RemoteBrokerClient b1 = replicas.connect(replicas.admin("b1"), "b1")) {
            b1.createChannel(new ChannelSpec(doomed, ChannelClass.DEFAULT, Set.of("*"), Set.of("*")));
            b1.createChannel(new ChannelSpec(kept, ChannelClass.DEFAULT, Set.of(), Set.of("*")));
            secret = b1.register(dave, null, false);
        }
        List<RemoteBrokerClient> sessions = new java.util.ArrayList<>();
        Map<String, Ending> deleted = new java.util.TreeMap<>();
        Map<String, Ending> revoked = new java.util.TreeMap<>();
        try {
            for (String at : replicas.names) {
                RemoteBrokerClient c = once(dave, secret, at);
                sessions.add(c);
                deleted.put(at, new Ending());
                revoked.put(at, new Ending());
                c.subscribe(doomed, StartPosition.live(), deleted.get(at));
                c.subscribe(kept, StartPosition.live(), revoked.get(at));
            }
            try (RemoteBrokerClient b3 = replicas.connect(replicas.admin("b3"), "b3")) {
                b3.deleteChannel(doomed);
                assertThatThrownBy(() -> b3.deleteChannel(doomed))
                        .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL));
            }
            for (String at : replicas.names) {
                await().atMost(CONVERGE).until(() -> deleted.get(at).cause != null);
                assertThat(deleted.get(at).cause.getMessage()).as("on %s", at).contains("channel " + doomed + " was deleted");
                assertThat(revoked.get(at).cause).as("on %s", at).isNull();
            }
            try (RemoteBrokerClient b2 = replicas.connect(replicas.admin("b2"), "b2")) {
                b2.revokeIdentity(dave);
                assertThatThrownBy(() -> b2.revokeIdentity(dave))
                        .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_IDENTITY));
            }
            for (String at : replicas.names) {
                await().atMost(CONVERGE).until(() -> revoked.get(at).cause != null);
                assertThat(revoked.get(at).cause.code()).as("on %s", at).isEqualTo(ErrorCode.UNAUTHENTICATED);
                assertThat(revoked.get(at).cause.getMessage()).as("on %s", at).contains("identity " + dave + " was revoked");
                assertThatThrownBy(() -> once(dave, secret, at)).as("connect on %s", at)
                        .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
                try (RemoteBrokerClient admin = replicas.connect(replicas.admin(at), at)) {
                    assertThatThrownBy(() -> admin.channel(doomed)).isInstanceOfSatisfying(BrokerException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL));
                    assertThat(admin.channel(kept).subscribers()).containsExactly("*");
                }
            }
        } finally {
            sessions.forEach(RemoteBrokerClient::close);
        }
        awaitConverged();
    }
}
