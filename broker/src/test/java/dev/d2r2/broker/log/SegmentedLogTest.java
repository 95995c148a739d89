package dev.d2r2.broker.log;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentedLogTest {
    @TempDir
    Path dir;

    static byte[] payload(long i) {
        return ("record-" + i + "-" + "x".repeat((int) (i % 50))).getBytes(StandardCharsets.UTF_8);
    }

    static void append(SegmentedLog log, long from, long to) throws IOException {
        for (long i = from; i < to; i++) {
            byte[] p = payload(i);
            assertThat(log.append(1000 + i, p, 0, p.length)).isEqualTo(i);
        }
    }

    static List<Long> readAll(SegmentedLog log, long from) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (LogReader r = log.reader(from)) {
            while (r.next()) {
                assertThat(r.payload()).isEqualTo(payload(r.offset()));
                assertThat(r.time()).isEqualTo(1000 + r.offset());
                offsets.add(r.offset());
            }
        }
        return offsets;
    }

    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void appendsReadBackAndContinueAfterReopen() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 100);
            assertThat(readAll(log, 0)).hasSize(100);
            assertThat(readAll(log, 42)).first().isEqualTo(42L);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            assertThat(log.nextOffset()).isEqualTo(100);
            append(log, 100, 150);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 150).boxed().toList());
        }
    }

    @Test
    void rollsSegmentsAndReadsAcrossThem() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0))) {
            append(log, 0, 1000);
            assertThat(segments(dir).size()).isGreaterThan(5);
            assertThat(segments(dir).getFirst().getFileName().toString()).isEqualTo("00000000000000000000.log");
            assertThat(readAll(log, 0)).hasSize(1000);
            assertThat(readAll(log, 777)).first().isEqualTo(777L);
        }
    }

    @Test
    void aReaderSeesLaterAppendsOnceFlushed() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0)); LogReader r = log.reader(0)) {
            assertThat(r.next()).isFalse();
            append(log, 0, 300);
            log.flush();
            int n = 0;
            while (r.next()) {
                assertThat(r.offset()).isEqualTo(n++);
            }
            assertThat(n).isEqualTo(300);
            append(log, 300, 301);
            assertThat(r.next()).as("buffered, not yet in the file").isFalse();
            log.flush();
            assertThat(r.next()).isTrue();
            assertThat(r.offset()).isEqualTo(300);
        }
    }

    @Test
    void flushesFromAnotherThreadWhileAppendingKeepEveryRecordInOrder() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(16 * 1024, 0))) {
            java.util.concurrent.atomic.AtomicBoolean appending = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong flushes = new java.util.concurrent.atomic.AtomicLong();
            Thread flusher = Thread.ofPlatform().start(() -> {
                while (appending.get()) {
                    try {
                        log.flush();
                        flushes.incrementAndGet();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            append(log, 0, 20_000);
            appending.set(false);
            flusher.join();
            assertThat(flushes.get()).isPositive();
            assertThat(readAll(log, 0)).hasSize(20_000).isSorted().startsWith(0L).endsWith(19_999L);
            assertThat(segments(dir)).hasSizeGreaterThan(10);
        }
        try (SegmentedLog reopened = SegmentedLog.open(dir, new LogConfig(16 * 1024, 0))) {
            assertThat(reopened.nextOffset()).isEqualTo(20_000);
        }
    }

    @Test
    void recordsLargerThanTheWriteBufferGoBetweenTheOthers() throws IOException {
        byte[] large = new byte[3 << 20];
        java.util.Arrays.fill(large, (byte) 7);
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 10);
            assertThat(log.append(2000, large, 0, large.length)).isEqualTo(10);
            byte[] after = payload(11);
            assertThat(log.append(1011, after, 0, after.length)).isEqualTo(11);
            try (LogReader r = log.reader(9)) {
                assertThat(r.next()).isTrue();
                assertThat(r.offset()).isEqualTo(9);
                assertThat(r.next()).isTrue();
                assertThat(r.payload()).isEqualTo(large);
                assertThat(r.next()).isTrue();
                assertThat(r.payload()).isEqualTo(after);
                assertThat(r.next()).isFalse();
            }
        }
    }

    @Test
    void writesWholeBlocksAroundThePageCacheAndCutsThePaddingOnClose() throws IOException {
        long logical = 0;
        for (long i = 0; i < 10; i++) {
            logical += LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES + payload(i).length;
        }
        SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults());
        append(log, 0, 10);
        log.flush();
        long written = Files.size(segments(dir).getFirst());
        if (directWritesWork(dir)) {
            assertThat(written).isEqualTo(4096);
        } else {
            assertThat(written).isEqualTo(logical);
        }
        log.close();
        assertThat(Files.size(segments(dir).getFirst())).isEqualTo(logical);
    }

    private static boolean directWritesWork(Path dir) throws IOException {
        Path probe = dir.resolve("probe");
        try (var ch = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    @Test
    void findsTheFirstOffsetAtOrAfterATime() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0))) {
            append(log, 0, 500);
            assertThat(log.offsetForTime(0)).isZero();
            assertThat(log.offsetForTime(1000 + 321)).isEqualTo(321);
            assertThat(log.offsetForTime(99_999)).isEqualTo(500);
        }
    }

    @Test
    void retentionDropsWholeOldSegments() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 16384))) {
            append(log, 0, 2000);
            assertThat(log.sizeBytes()).isLessThanOrEqualTo(16384 + 4096);
            assertThat(log.firstOffset()).isPositive();
            assertThat(readAll(log, 0).getFirst()).isEqualTo(log.firstOffset());
            assertThat(readAll(log, 0).getLast()).isEqualTo(1999L);
        }
    }

    @Test
    void recoveryDropsATornTail() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 10);
        }
        Path seg = segments(dir).getFirst();
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 3);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            assertThat(log.nextOffset()).isEqualTo(9);
            append(log, 9, 12);
            assertThat(readAll(log, 0)).hasSize(12);
        }
    }

    @Test
    void recoveryDropsARecordWhoseChecksumFails() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 10);
        }
        Path seg = segments(dir).getFirst();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long last = f.length() - 2;
            f.seek(last);
            int b = f.read();
            f.seek(last);
            f.write(b ^ 0x5a);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            assertThat(log.nextOffset()).isEqualTo(9);
            assertThat(readAll(log, 0)).hasSize(9);
        }
    }

    @Test
    void refusesOversizedPayloads() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            assertThatThrownBy(() -> log.append(0, new byte[0], 0, LogDescriptor.MAX_PAYLOAD_BYTES + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 40)
    void truncationAnywhereKeepsEveryWholeRecordBeforeIt(@ForAll @IntRange(min = 1, max = 300) int records,
                                                          @ForAll @IntRange(min = 0, max = 100_000) int cut) throws IOException {
        Path d = Files.createTempDirectory("log-prop");
        List<Long> ends = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(d, new LogConfig(1 << 20, 0))) {
            for (long i = 0; i < records; i++) {
                byte[] p = payload(i);
                log.append(1000 + i, p, 0, p.length);
                ends.add(log.sizeBytes());
            }
        }
        Path seg = segments(d).getFirst();
        long cutAt = Math.min(cut, Files.size(seg));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(cutAt);
        }
        long whole = ends.stream().filter(e -> e <= cutAt).count();
        try (SegmentedLog log = SegmentedLog.open(d, new LogConfig(1 << 20, 0))) {
            assertThat(log.nextOffset()).isEqualTo(whole);
            assertThat(readAll(log, 0)).hasSize((int) whole);
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

    @Test
    void aFlippedByteInAnOlderSegmentLosesOnlyItsRecordAndIsReported() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0))) {
            append(log, 0, 200);
        }
        List<Path> before = segments(dir);
        assertThat(before).hasSizeGreaterThan(2);
        Path first = before.getFirst();
        long middle = Files.size(first) / 2;
        flipByte(first, middle);
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0))) {
            assertThat(log.recovered()).hasSize(1);
            LogDamage d = log.recovered().getFirst();
            assertThat(d.segment()).isEqualTo(first.getFileName().toString());
            assertThat(d.kind()).isEqualTo(LogDamage.Kind.DAMAGED);
            assertThat(d.position()).isLessThanOrEqualTo(middle);
            assertThat(d.position() + d.bytes()).isGreaterThan(middle);
            assertThat(d.lostOffsets()).isEqualTo(1);
            assertThat(Files.size(dir.resolve(d.quarantine()))).isEqualTo(d.bytes());
            List<Long> expected = new ArrayList<>(java.util.stream.LongStream.range(0, 200).boxed().toList());
            expected.remove(d.fromOffset());
            assertThat(readAll(log, 0)).containsExactlyElementsOf(expected);
            assertThat(readAll(log, d.fromOffset())).first().isEqualTo(d.fromOffset() + 1);
            assertThat(segments(dir)).containsAll(before);
            assertThat(log.nextOffset()).isEqualTo(200);
            append(log, 200, 210);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, new LogConfig(4096, 0))) {
            assertThat(log.recovered()).as("a repaired log opens clean").isEmpty();
            assertThat(readAll(log, 0)).hasSize(209);
        }
    }

    @Test
    void aFlippedByteInTheLastSegmentKeepsTheRecordsAfterIt() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 100);
        }
        Path seg = segments(dir).getFirst();
        flipByte(seg, Files.size(seg) / 3);
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            LogDamage d = log.recovered().getFirst();
            assertThat(log.recovered()).hasSize(1);
            assertThat(d.lostOffsets()).isEqualTo(1);
            assertThat(readAll(log, 0)).hasSize(99).doesNotContain(d.fromOffset());
            assertThat(log.nextOffset()).isEqualTo(100);
            append(log, 100, 105);
            assertThat(readAll(log, 90)).containsExactly(90L, 91L, 92L, 93L, 94L, 95L, 96L, 97L, 98L, 99L,
                    100L, 101L, 102L, 103L, 104L);
        }
    }

    @Test
    void aTornTailIsCutAndReportedWithNoOffsetsLost() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            append(log, 0, 10);
        }
        Path seg = segments(dir).getFirst();
        long size = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(size - 3);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, LogConfig.defaults())) {
            assertThat(log.recovered()).singleElement().satisfies(d -> {
                assertThat(d.kind()).isEqualTo(LogDamage.Kind.TORN_TAIL);
                assertThat(d.lostOffsets()).isZero();
                assertThat(d.quarantine()).isNull();
                assertThat(d.position() + d.bytes()).isEqualTo(size - 3);
            });
        }
    }

    @Property(tries = 30)
    void aFlippedByteAnywhereLosesAtMostTheRecordsItTouches(@ForAll @IntRange(min = 20, max = 300) int records,
                                                             @ForAll @IntRange(min = 0, max = 1_000_000) int at)
            throws IOException {
        Path d = Files.createTempDirectory("log-flip");
        try (SegmentedLog log = SegmentedLog.open(d, new LogConfig(4096, 0))) {
            append(log, 0, records);
        }
        List<Path> segs = segments(d);
        Path victim = segs.get(at % segs.size());
        flipByte(victim, at % Files.size(victim));
        try (SegmentedLog log = SegmentedLog.open(d, new LogConfig(4096, 0))) {
            List<Long> read = readAll(log, 0);
            long lost = log.recovered().stream().mapToLong(LogDamage::lostOffsets).sum();
            assertThat(log.recovered()).hasSize(1);
            assertThat(read).as("every record but the one damaged").hasSizeGreaterThanOrEqualTo(records - 1).isSorted();
            if (log.recovered().getFirst().kind() == LogDamage.Kind.DAMAGED) {
                assertThat(lost).isEqualTo(records - read.size());
            }
            for (LogDamage x : log.recovered()) {
                for (long o = x.fromOffset(); o <= x.toOffset(); o++) {
                    assertThat(read).doesNotContain(o);
                }
            }
        }
    }
}
