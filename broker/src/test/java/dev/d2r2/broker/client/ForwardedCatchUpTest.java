package dev.d2r2.broker.client;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.events.BrokerEvents;
import dev.d2r2.broker.events.ForwardedGap;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;

import static dev.d2r2.broker.client.ForwardingReplicas.CHANNEL;
import static dev.d2r2.broker.client.ForwardingReplicas.stat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Catch-up of a {@code forwarded} channel against real broker processes, one JVM per replica,
 * each forwarding to the others: the publisher sends to replicas 0 and 1 (f + 1 = 2), and one
 * replica is out while 1,000 events are published. Killed and restarted, it reads what it
 * missed from the others' logs before it serves again; beyond
 * the catch-up's reach the missing events are reported and counted; stopped and continued, its
 * links' queues bring the events.
 */
class ForwardedCatchUpTest {
    private static final int F = 1;
    private static final int BEFORE = 100;
    private static final int WHILE_OUT = 1000;
    private static final int AFTER = 100;
    /** The replica out in the tests with one: the one the publisher never reaches. */
    private static final int OUT = 2;

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();
    private ForwardingReplicas replicas;
    private ForwardedPublisher publisher;
    private long published;

    /** Replica 1 is one the publisher sends to (its client leaves it out), replica 2 one it never reaches. */
    @ParameterizedTest(name = "replica {0}")
    @ValueSource(ints = {1, 2})
    void aReplicaKilledWhileEventsArePublishedCatchesUpFromTheOthersLogsAndHoldsEveryEventOnceInOrder(int out)
            throws Exception {
        publishWhileReplicaIsOut(out, () -> replicas.kill(out));

        replicas.restart(out, ForwardedCatchUp.Reach.DEFAULT.events());
        String stats = replicas.stats(out);
        assertThat(stat(stats, "caught-up")).as("taken from the others' logs before it listened: %s", stats)
                .isEqualTo(WHILE_OUT);
        assertThat(stat(stats, "gap")).isZero();

        List<Delivery> log = subscribeFromTheStart(out);
        publish(AFTER);
        await().atMost(Duration.ofSeconds(30)).until(() -> log.size() >= BEFORE + WHILE_OUT + AFTER);
        assertOnceInOrder(log, LongStream.rangeClosed(1, BEFORE + WHILE_OUT + AFTER));
        assertThat(replicas.logged(out)).isEqualTo(BEFORE + WHILE_OUT + AFTER);
    }

    @Test
    void eventsBeyondTheCatchUpReachAreReportedAsAGapAndCounted() throws Exception {
        publishWhileReplicaIsOut(OUT, () -> replicas.kill(OUT));

        int reach = 300;
        replicas.restart(OUT, reach);
        String stats = replicas.stats(OUT);
        assertThat(stat(stats, "caught-up")).as(stats).isEqualTo(reach);
        assertThat(stat(stats, "gap")).as(stats).isEqualTo(WHILE_OUT - reach);

        List<Delivery> log = subscribeFromTheStart(OUT);
        long gapEnd = BEFORE + WHILE_OUT - reach;
        await().atMost(Duration.ofSeconds(30)).until(() -> log.size() >= BEFORE + reach);
        List<Delivery> got = List.copyOf(log);
        assertOnceInOrder(got.subList(0, BEFORE + reach), LongStream.concat(LongStream.rangeClosed(1, BEFORE),
                LongStream.rangeClosed(gapEnd + 1, BEFORE + WHILE_OUT)));
        // What a link still had queued for the replica when it came back arrives after catch-up: late, each once.
        assertThat(got.subList(BEFORE + reach, got.size())).allSatisfy(d ->
                assertThat(d.publisherSeq()).isBetween((long) BEFORE + 1, gapEnd));
        assertThat(got.stream().map(Delivery::publisherSeq).distinct().count()).isEqualTo(got.size());

        List<Delivery> system = new CopyOnWriteArrayList<>();
        replicas.admin(OUT).subscribe(BrokerEvents.SYSTEM_CHANNEL, StartPosition.fromOffset(0), system::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> system.stream().map(ForwardedCatchUpTest::event)
                .anyMatch(e -> e.type().equals(BrokerEvents.FORWARDED_GAP.name())));
        ForwardedGap gap = ForwardedGap.from(system.stream().map(ForwardedCatchUpTest::event)
                .filter(e -> e.type().equals(BrokerEvents.FORWARDED_GAP.name())).findFirst().orElseThrow());
        assertThat(gap.channel()).isEqualTo(CHANNEL);
        assertThat(gap.publisher()).isEqualTo("pub");
        assertThat(gap.fromSequence()).isEqualTo(BEFORE + 1);
        assertThat(gap.toSequence()).isEqualTo(gapEnd);
        assertThat(gap.lost()).isEqualTo(WHILE_OUT - reach);
    }

    @Test
    void aReplicaStoppedWhileEventsArePublishedHoldsEveryEventOnceInOrderAfterItContinues() throws Exception {
        publishWhileReplicaIsOut(OUT, () -> replicas.signal(OUT, "STOP"));
        replicas.signal(OUT, "CONT");

        List<Delivery> log = subscribeFromTheStart(OUT);
        await().atMost(Duration.ofSeconds(30)).until(() -> log.size() >= BEFORE + WHILE_OUT);
        assertOnceInOrder(log, LongStream.rangeClosed(1, BEFORE + WHILE_OUT));
        assertThat(stat(replicas.stats(OUT), "caught-up")).as("nothing to catch up: the links held the events").isZero();
    }

    @FunctionalInterface
    private interface Outage {
        void begin() throws Exception;
    }

    /**
     * Starts the replicas, publishes {@link #BEFORE} events and waits until the replica that
     * goes out ({@code out}) logged them, takes it out and publishes {@link #WHILE_OUT} more,
     * until the other replicas logged them.
     */
    private void publishWhileReplicaIsOut(int out, Outage outage) throws Exception {
        replicas = brokers.open(ForwardingReplicas.start(dir, 3));
        List<RemoteBrokerClient> publishing = new ArrayList<>();
        for (int i = 0; i <= F; i++) {
            publishing.add(replicas.publisher(i));
        }
        publisher = brokers.open(ForwardedPublisher.open(publishing, F, CHANNEL));
        publish(BEFORE);
        await().atMost(Duration.ofSeconds(30)).until(() -> replicas.logged(out) == BEFORE);
        outage.begin();
        publish(WHILE_OUT);
        for (int i = 0; i < 3; i++) {
            int replica = i;
            if (replica != out) {
                await().atMost(Duration.ofSeconds(30)).until(() -> replicas.logged(replica) == BEFORE + WHILE_OUT);
            }
        }
    }

    private void publish(int events) throws TimeoutException {
        for (int i = 0; i < events; i++) {
            long n = ++published;
            assertThat(publisher.publish(("{\"type\":\"sample\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))).isEqualTo(n);
        }
        publisher.awaitAcknowledged(published, Duration.ofSeconds(30));
    }

    private List<Delivery> subscribeFromTheStart(int replica) throws Exception {
        List<Delivery> got = new CopyOnWriteArrayList<>();
        replicas.subscriber(replica).subscribe(CHANNEL, StartPosition.fromOffset(0), got::add);
        return got;
    }

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** Each of {@code sequences} delivered exactly once, in that order, with its own payload, and nothing else. */
    private static void assertOnceInOrder(List<Delivery> got, LongStream sequences) {
        long[] expected = sequences.toArray();
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(got.get(i).publisher()).isEqualTo("pub");
            assertThat(got.get(i).publisherSeq()).isEqualTo(expected[i]);
            assertThat(new String(got.get(i).payload(), StandardCharsets.UTF_8)).contains("\"n\":" + expected[i] + "}");
        }
    }
}
