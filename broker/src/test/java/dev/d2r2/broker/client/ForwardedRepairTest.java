package dev.d2r2.broker.client;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.d2r2.broker.client.ForwardingReplicas.CHANNEL;
import static dev.d2r2.broker.client.ForwardingReplicas.stat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Repair of a {@code forwarded} channel while a replica runs, against real broker processes (one
 * JVM each) forwarding to each other over links that queue 64 events: the publisher sends to
 * replica 0 alone, so replica 2 gets every event as a copy over replica 0's link. Replica 2 is
 * stopped (SIGSTOP) while events of 4 KiB are published, far more than the link's queue and the
 * sockets' buffers hold, so replica 0 drops copies for it; continued, it sees the sequence
 * numbers skipped and takes them from the others' logs without a restart.
 */
class ForwardedRepairTest {
    private static final int BEFORE = 100;
    private static final int WHILE_STOPPED = 3000;
    private static final int AFTER = 100;
    private static final int TOTAL = BEFORE + WHILE_STOPPED + AFTER;
    private static final int STOPPED = 2;
    private static final String PAD = "x".repeat(4096);

    @TempDir
    Path dir;
    private ForwardingReplicas replicas;
    private ForwardedPublisher publisher;
    private long published;

    @AfterEach
    void stop() throws Exception {
        if (publisher != null) {
            publisher.close();
        }
        if (replicas != null) {
            replicas.close();
        }
    }

    @Test
    void aReplicaStoppedLongerThanItsLinksHoldRepairsTheSkippedEventsFromTheOthersLogsWhileItRuns() throws Exception {
        replicas = ForwardingReplicas.start(dir, 3, 64);
        publisher = ForwardedPublisher.open(List.of(replicas.publisher(0)), 0, CHANNEL);
        publish(BEFORE);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            System.err.println("DEBUG0 logged " + replicas.logged(STOPPED) + " " + replicas.logged(1) + " " + replicas.stats(0));
            return replicas.logged(STOPPED) == BEFORE;
        });

        replicas.signal(STOPPED, "STOP");
        try {
            publish(WHILE_STOPPED);
            // Replica 1 runs, but on a loaded host its link may drop copies too: it repairs them the same way.
            await().atMost(Duration.ofSeconds(120)).until(() -> replicas.logged(1) == BEFORE + WHILE_STOPPED);
        } finally {
            replicas.signal(STOPPED, "CONT");
        }
        assertThat(stat(replicas.stats(0), "lost")).as("replica 0's link dropped copies for the stopped replica").isPositive();
        publish(AFTER);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            System.err.println("DEBUG logged " + replicas.logged(STOPPED) + " " + replicas.stats(STOPPED) + " / " + replicas.stats(0));
            return replicas.logged(STOPPED) >= TOTAL;
        });
        String stats = replicas.stats(STOPPED);
        assertThat(stat(stats, "repaired")).as("taken from the others' logs while it ran: %s", stats).isPositive();
        assertThat(stat(stats, "caught-up")).as("no restart, no start catch-up").isZero();
        assertThat(stat(stats, "gap")).isZero();

        List<Delivery> log = new CopyOnWriteArrayList<>();
        replicas.subscriber(STOPPED).subscribe(CHANNEL, StartPosition.fromOffset(0), log::add);
        await().atMost(Duration.ofSeconds(60)).until(() -> log.size() >= TOTAL);
        assertThat(log).hasSize(TOTAL);
        assertThat(log.stream().map(Delivery::publisherSeq).sorted().toList())
                .as("every event once").containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, TOTAL).boxed().toList());
        assertThat(log).allSatisfy(d -> assertThat(new String(d.payload(), StandardCharsets.UTF_8))
                .contains("\"n\":" + d.publisherSeq() + ","));
        assertThat(replicas.logged(STOPPED)).isEqualTo(TOTAL);
    }

    private void publish(int events) throws Exception {
        for (int i = 0; i < events; i++) {
            long n = ++published;
            publisher.publish(("{\"type\":\"sample\",\"n\":" + n + ",\"pad\":\"" + PAD + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        publisher.awaitAcknowledged(published, Duration.ofSeconds(60));
    }
}
