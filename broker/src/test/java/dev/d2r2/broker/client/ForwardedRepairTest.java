package dev.d2r2.broker.client;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static dev.d2r2.broker.client.ForwardingReplicas.CHANNEL;
import static dev.d2r2.broker.client.ForwardingReplicas.stat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Repair of a {@code forwarded} channel while a replica runs, against real broker processes (one
 * JVM each) forwarding to each other over links that queue 256 events: the publisher sends to
 * replica 0 alone, so replica 2 gets every event as a copy over replica 0's link. Replica 2 is
 * stopped (SIGSTOP) while 4,000 events of 4 KiB are published, far more than the link's queue and
 * the sockets' buffers hold, so replica 0 drops copies for it; continued, it sees the sequence
 * numbers skipped once the stream goes on and takes them from the others' logs without a restart.
 */
class ForwardedRepairTest {
    private static final int BEFORE = 100;
    private static final int WHILE_STOPPED = 4000;
    private static final int STOPPED = 2;
    private static final String PAD = "x".repeat(4096);

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();
    private ForwardingReplicas replicas;
    private ForwardedPublisher publisher;
    private long published;

    @Test
    void aReplicaStoppedLongerThanItsLinksHoldRepairsTheSkippedEventsFromTheOthersLogsWhileItRuns() throws Exception {
        replicas = brokers.open(ForwardingReplicas.start(dir, 3, 256));
        publisher = brokers.open(ForwardedPublisher.open(List.of(replicas.publisher(0)), 0, CHANNEL));
        // One event first, so that the links are connected before a burst could overflow their queues.
        publish(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas.logged(1) == 1 && replicas.logged(STOPPED) == 1);
        publish(BEFORE - 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas.logged(STOPPED) == BEFORE);

        replicas.signal(STOPPED, "STOP");
        try {
            publish(WHILE_STOPPED);
            assertThat(stat(replicas.stats(0), "lost")).as("replica 0's link dropped copies for the stopped replica").isPositive();
        } finally {
            replicas.signal(STOPPED, "CONT");
        }
        // The stream goes on until the link carries again (its backlog drained): a later event shows the skipped ones.
        List<Delivery> live = new CopyOnWriteArrayList<>();
        replicas.subscriber(STOPPED).subscribe(CHANNEL, StartPosition.live(), live::add);
        long stoppedUpTo = published;
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            publish(10);
            return live.stream().anyMatch(d -> d.publisherSeq() > stoppedUpTo);
        });
        long total = published;

        await().atMost(Duration.ofSeconds(120)).until(() -> replicas.logged(STOPPED) >= total);
        String stats = replicas.stats(STOPPED);
        assertThat(stat(stats, "repaired")).as("taken from the others' logs while it ran: %s", stats).isPositive();
        assertThat(stat(stats, "caught-up")).as("no restart, no start catch-up").isZero();
        assertThat(stat(stats, "gap")).isZero();

        List<Delivery> log = new CopyOnWriteArrayList<>();
        replicas.subscriber(STOPPED).subscribe(CHANNEL, StartPosition.fromOffset(0), log::add);
        await().atMost(Duration.ofSeconds(60)).until(() -> log.size() >= total);
        assertThat(log.stream().map(Delivery::publisherSeq).sorted().toList()).as("every event once")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(log).allSatisfy(d -> assertThat(new String(d.payload(), StandardCharsets.UTF_8))
                .contains("\"n\":" + d.publisherSeq() + ","));
        assertThat(replicas.logged(STOPPED)).isEqualTo(total);
    }

    private void publish(int events) throws Exception {
        for (int i = 0; i < events; i++) {
            long n = ++published;
            publisher.publish(("{\"type\":\"sample\",\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        publisher.awaitAcknowledged(published, Duration.ofSeconds(60));
    }
}
