package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.events.BrokerEvents;
import dev.d2r2.broker.events.LogDamaged;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Recovery of a channel log with real files: what verifies is kept, what is lost is said. */
class LogRecoveryTest {
    private static final int EVENTS = 1500;
    /** About 60 KB per event: two 64 MiB segments hold the 1,500. */
    private static final String PAD = "x".repeat(60_000);

    @TempDir
    Path dir;

    @Test
    void aFlippedByteInTheFirstOfTwoSegmentsLosesOnlyItsRecordAndIsReported() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("logged", ChannelClass.DEFAULT.withPersistence(Persistence.LOG,
                    FsyncPolicy.parse("never")), Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            try (Publisher p = admin.publisher("logged")) {
                for (int i = 0; i < EVENTS; i++) {
                    p.publish(Event.message("big", i, "test", Map.of("pad", PAD)));
                }
            }
        }
        List<Path> segments = segments(dir.resolve("channels/logged"));
        assertThat(segments).hasSize(2);
        long secondBase = Long.parseLong(segments.get(1).getFileName().toString().replace(".log", ""));
        flipByte(segments.getFirst(), Files.size(segments.getFirst()) / 2);

        try (Broker broker = Broker.open(dir, Clock.system()); BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            List<Event> reports = new CopyOnWriteArrayList<>();
            try (Subscription s = admin.subscribe(BrokerEvents.SYSTEM_CHANNEL, StartPosition.fromOffset(0),
                    d -> reports.add(event(d)))) {
                await().until(() -> reports.size() == 1);
            }
            LogDamaged report = LogDamaged.from(reports.getFirst());
            assertThat(report.channel()).isEqualTo("logged");
            assertThat(report.segment()).isEqualTo(segments.getFirst().getFileName().toString());
            assertThat(report.kind()).isEqualTo(LogDamaged.DAMAGED);
            assertThat(report.lost()).isEqualTo(1);
            assertThat(report.fromOffset()).isBetween(1L, secondBase - 1);
            assertThat(dir.resolve("channels/logged").resolve(report.quarantine())).hasSize(report.bytes());
            assertThat(broker.metrics().lostOffsets("logged")).isEqualTo(1);

            List<Long> offsets = new CopyOnWriteArrayList<>();
            try (Subscription s = admin.subscribe("logged", StartPosition.fromOffset(0), d -> offsets.add(d.offset()))) {
                await().until(() -> offsets.size() == EVENTS - 1);
            }
            assertThat(offsets).containsExactlyElementsOf(
                    LongStream.range(0, EVENTS).filter(o -> o != report.fromOffset()).boxed().toList());
            assertThat(segments(dir.resolve("channels/logged"))).as("the second segment is kept").contains(segments.get(1));
        }
    }

    private static Event event(dev.d2r2.broker.Delivery d) {
        try {
            return d.event();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> segments(Path logDir) throws IOException {
        try (Stream<Path> s = Files.list(logDir)) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5a);
        }
    }
}
