package dev.d2r2.broker.log;

import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Repairs a segment whose records stop verifying before its file ends, keeping every record that
 * verifies. From the first bad byte it searches forward, byte by byte, for the next record whose
 * length fits, whose offset lies between the last good one and the next segment's base, and
 * whose CRC-32C holds. The bytes in between are damaged: copied aside to
 * {@code <segment>.<position>.damaged} and reported with the offsets they held. Each run of
 * verified records after damage moves to a segment file of its own, named by its first offset,
 * so that within a segment offsets stay consecutive (what the sparse index and the readers rely
 * on) and lost offsets are gaps between segments. Only then is the original cut after its first
 * run. Nothing after the damage verifies: the rest is a torn tail or damaged bytes (reported the
 * same way); at the end of the log, new records take the lost offsets again, since nothing after
 * them holds those offsets in place.
 */
final class SegmentRepair {
    private static final int MIN_RECORD_BYTES = LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES;
    private static final int MAX_BODY_BYTES = LogDescriptor.BODY_FIXED_BYTES + LogDescriptor.MAX_PAYLOAD_BYTES;
    static final String QUARANTINE_SUFFIX = ".damaged";

    private final Path dir;
    private final Segment segment;
    private final long limitOffset;
    private final boolean last;
    private final ByteBuffer file;
    private final long end;
    private final CRC32C crc = new CRC32C();
    private final List<LogDamage> damage = new ArrayList<>();
    private final List<Segment> split = new ArrayList<>();

    /** What a repair found and the segments it split off (ascending, after the repaired one). */
    record Result(List<LogDamage> damage, List<Segment> split) {
    }

    private SegmentRepair(Path dir, Segment segment, long limitOffset, boolean last) throws IOException {
        this.dir = dir;
        this.segment = segment;
        this.limitOffset = limitOffset;
        this.last = last;
        this.end = segment.channel.size();
        this.file = segment.channel.map(FileChannel.MapMode.READ_ONLY, 0, end);
    }

    /**
     * Repairs {@code s}, whose records verify up to {@code s.size}; {@code limitOffset} is the next
     * segment's base (none: {@link Long#MAX_VALUE}) and {@code last} says it is the log's end.
     */
    static Result repair(Path dir, Segment s, long limitOffset, boolean last) throws IOException {
        SegmentRepair r = new SegmentRepair(dir, s, limitOffset, last);
        r.run();
        return new Result(r.damage, r.split);
    }

    private void run() throws IOException {
        List<long[]> runs = new ArrayList<>();
        long pos = segment.size;
        long expected = segment.nextOffset;
        while (pos < end) {
            long next = resync(pos + 1, expected);
            if (next < 0) {
                tail(pos, expected);
                break;
            }
            long first = file.getLong((int) next + LogDescriptor.HEADER_BYTES);
            damaged(LogDamage.Kind.DAMAGED, pos, next, expected, first - 1);
            long runEnd = next;
            long offset = first;
            while (runEnd < end && verifies(runEnd, offset)) {
                runEnd += LogDescriptor.HEADER_BYTES + file.getInt((int) runEnd);
                offset++;
            }
            runs.add(new long[]{next, runEnd, first});
            pos = runEnd;
            expected = offset;
        }
        for (long[] run : runs) {
            split.add(moveToOwnSegment(run[0], run[1], run[2]));
        }
        segment.channel.truncate(segment.size);
        segment.channel.force(true);
    }

    /** Nothing after {@code pos} verifies. */
    private void tail(long pos, long expected) throws IOException {
        if (allZero(pos)) {
            // Zeros that direct writes padded the last block with: cut, and damage only if records are missing.
            if (!last && expected < limitOffset) {
                damage.add(new LogDamage(name(), LogDamage.Kind.TORN_TAIL, pos, end - pos, expected, limitOffset - 1, null));
            }
            return;
        }
        boolean torn = overrunsTheEnd(pos);
        LogDamage.Kind kind = torn ? LogDamage.Kind.TORN_TAIL : LogDamage.Kind.DAMAGED;
        long lostTo = !last ? limitOffset - 1 : torn ? expected - 1 : expected + Math.max(1, wholeRecordsFrom(pos)) - 1;
        damaged(kind, pos, end, expected, lostTo);
    }

    /** A record at {@code pos} cut short by the end of the file: what a write the process died in leaves. */
    private boolean overrunsTheEnd(long pos) {
        if (pos + LogDescriptor.HEADER_BYTES > end) {
            return true;
        }
        int length = file.getInt((int) pos);
        return length >= LogDescriptor.BODY_FIXED_BYTES && length <= MAX_BODY_BYTES
                && pos + LogDescriptor.HEADER_BYTES + length > end;
    }

    private void damaged(LogDamage.Kind kind, long from, long to, long lostFrom, long lostTo) throws IOException {
        String quarantine = null;
        if (kind == LogDamage.Kind.DAMAGED) {
            quarantine = name() + "." + from + QUARANTINE_SUFFIX;
            write(dir.resolve(quarantine), from, to);
        }
        damage.add(new LogDamage(name(), kind, from, to - from, lostFrom, lostTo, quarantine));
    }

    /** The position of the next verifying record at or after {@code from} with an offset the log can hold there, or -1. */
    private long resync(long from, long expected) {
        for (long p = from; p + MIN_RECORD_BYTES <= end; p++) {
            long offset = file.getLong((int) p + LogDescriptor.HEADER_BYTES);
            if (offset >= expected && offset < limitOffset && verifies(p, offset)) {
                return p;
            }
        }
        return -1;
    }

    /** A whole record at {@code p} with offset {@code offset} whose checksum holds. */
    private boolean verifies(long p, long offset) {
        if (p + MIN_RECORD_BYTES > end) {
            return false;
        }
        int length = file.getInt((int) p);
        if (length < LogDescriptor.BODY_FIXED_BYTES || length > MAX_BODY_BYTES
                || p + LogDescriptor.HEADER_BYTES + length > end
                || file.getLong((int) p + LogDescriptor.HEADER_BYTES) != offset || offset >= limitOffset) {
            return false;
        }
        crc.reset();
        crc.update(file.slice((int) p + LogDescriptor.HEADER_BYTES, length));
        return (int) crc.getValue() == file.getInt((int) p + 4);
    }

    /** How many whole records (by their length fields alone) fill the rest of the file exactly; 0 if they do not (then at least one was there). */
    private long wholeRecordsFrom(long pos) {
        long n = 0;
        long p = pos;
        while (p + MIN_RECORD_BYTES <= end) {
            int length = file.getInt((int) p);
            if (length < LogDescriptor.BODY_FIXED_BYTES || length > MAX_BODY_BYTES) {
                return 0;
            }
            p += LogDescriptor.HEADER_BYTES + length;
            n++;
        }
        return p == end ? n : 0;
    }

    private boolean allZero(long pos) {
        for (long p = pos; p < end; p++) {
            if (file.get((int) p) != 0) {
                return false;
            }
        }
        return true;
    }

    private Segment moveToOwnSegment(long from, long to, long firstOffset) throws IOException {
        Path target = dir.resolve(LogDescriptor.segmentName(firstOffset));
        Path tmp = dir.resolve(LogDescriptor.segmentName(firstOffset) + ".tmp");
        try {
            write(tmp, from, to);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return Segment.recover(target, firstOffset, limitOffset);
    }

    private void write(Path target, long from, long to) throws IOException {
        try (FileChannel out = PrivateFiles.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = file.slice((int) from, (int) (to - from));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
    }

    private String name() {
        return segment.file.getFileName().toString();
    }
}
