package dev.d2r2.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * An append-only log of (offset, time, payload) records in segment files (see
 * {@link LogDescriptor}). Appends go through a {@code FileChannel}, so a record is in the OS page
 * cache, and survives the death of the process, when {@link #append} returns; {@link #sync()}
 * forces it to disk. One appender at a time (an internal lock); readers run concurrently and
 * see records as soon as they are appended.
 */
public final class SegmentedLog implements AutoCloseable {
    private final Path dir;
    private final LogConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final CopyOnWriteArrayList<Segment> segments;
    private final ByteBuffer header = ByteBuffer.allocateDirect(LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES);
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private volatile Segment active;
    private final List<Segment> unforced = new ArrayList<>();
    private boolean dirty;

    private SegmentedLog(Path dir, LogConfig config, List<Segment> segments) {
        this.dir = dir;
        this.config = config;
        this.segments = new CopyOnWriteArrayList<>(segments);
        this.active = segments.getLast();
    }

    public static SegmentedLog open(Path dir, LogConfig config) throws IOException {
        Files.createDirectories(dir);
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(LogDescriptor.SUFFIX)) {
                    try {
                        bases.add(Long.parseLong(name.substring(0, name.length() - LogDescriptor.SUFFIX.length())));
                    } catch (NumberFormatException e) {
                        throw new IOException(f + ": not a log segment name");
                    }
                }
            }
        }
        bases.sort(null);
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            Segment s = Segment.recover(dir.resolve(LogDescriptor.segmentName(bases.get(i))), bases.get(i));
            segments.add(s);
            boolean last = i == bases.size() - 1;
            if (!last && s.nextOffset != bases.get(i + 1)) {
                // A torn record inside an older segment: everything after it is unreachable.
                for (int j = i + 1; j < bases.size(); j++) {
                    Files.delete(dir.resolve(LogDescriptor.segmentName(bases.get(j))));
                }
                break;
            }
        }
        if (segments.isEmpty()) {
            segments.add(Segment.create(dir, 0));
        }
        return new SegmentedLog(dir, config, segments);
    }

    public long append(long timeMillis, byte[] payload, int off, int len) throws IOException {
        if (len < 0 || len > LogDescriptor.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + len + " bytes exceeds " + LogDescriptor.MAX_PAYLOAD_BYTES);
        }
        int recordBytes = LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES + len;
        lock.lock();
        try {
            Segment s = active;
            if (s.size > 0 && s.size + recordBytes > config.segmentBytes()) {
                s = roll();
            }
            long offset = s.nextOffset;
            header.clear();
            header.putInt(LogDescriptor.BODY_FIXED_BYTES + len).putInt(0).putLong(offset).putLong(timeMillis);
            crc.reset();
            header.position(LogDescriptor.HEADER_BYTES);
            crc.update(header);
            crc.update(payload, off, len);
            header.putInt(4, (int) crc.getValue());
            header.position(0).limit(LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES);
            gather[0] = header;
            gather[1] = ByteBuffer.wrap(payload, off, len);
            long pos = s.size;
            s.channel.position(pos);
            while (gather[0].hasRemaining() || gather[1].hasRemaining()) {
                s.channel.write(gather);
            }
            gather[1] = null;
            s.indexedLocked(offset, pos, timeMillis);
            s.size = pos + recordBytes;
            s.nextOffset = offset + 1;
            dirty = true;
            return offset;
        } finally {
            lock.unlock();
        }
    }

    /** Starts a new segment. The old one is forced by the next {@link #sync()}, not here: a roll
     * must not stall appends (forcing 64 MiB of page cache takes tens of milliseconds). */
    private Segment roll() throws IOException {
        Segment old = active;
        unforced.add(old);
        Segment next = Segment.create(dir, old.nextOffset);
        segments.add(next);
        active = next;
        enforceRetention();
        return next;
    }

    private void enforceRetention() throws IOException {
        if (config.retainBytes() == 0) {
            return;
        }
        while (segments.size() > 1 && sizeBytes() > config.retainBytes()) {
            Segment oldest = segments.removeFirst();
            oldest.close();
            Files.deleteIfExists(oldest.file);
        }
    }

    /**
     * Forces to disk every record appended before the call. The force runs outside the append
     * lock, so publishers keep appending while the disk works (group commit).
     */
    public void sync() throws IOException {
        List<Segment> toForce;
        lock.lock();
        try {
            toForce = new ArrayList<>(unforced);
            unforced.clear();
            if (dirty) {
                toForce.add(active);
                dirty = false;
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < toForce.size(); i++) {
            Segment s = toForce.get(i);
            try {
                if (s.channel.isOpen()) {
                    s.channel.force(false);
                }
            } catch (IOException e) {
                lock.lock();
                try {
                    unforced.addAll(toForce.subList(i, toForce.size()));
                    dirty = true;
                } finally {
                    lock.unlock();
                }
                throw e;
            }
        }
    }

    public long nextOffset() {
        return active.nextOffset;
    }

    public long firstOffset() {
        return segments.getFirst().baseOffset;
    }

    public long offsetForTime(long timeMillis) throws IOException {
        List<Segment> all = List.copyOf(segments);
        int start = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            Segment s = all.get(i);
            if (s.firstTime != Long.MIN_VALUE && s.firstTime < timeMillis) {
                start = i;
                break;
            }
        }
        try (LogReader r = new LogReader(this, all.get(start).baseOffset)) {
            while (r.next()) {
                if (r.time() >= timeMillis) {
                    return r.offset();
                }
            }
        }
        return nextOffset();
    }

    public LogReader reader(long fromOffset) throws IOException {
        return new LogReader(this, Math.max(fromOffset, firstOffset()));
    }

    public long sizeBytes() {
        long n = 0;
        for (Segment s : segments) {
            n += s.size;
        }
        return n;
    }

    /** The segment holding {@code offset}, or null when it is past the end. */
    Segment segmentFor(long offset) {
        Segment found = null;
        for (Segment s : segments) {
            if (s.baseOffset <= offset) {
                found = s;
            } else {
                break;
            }
        }
        return found;
    }

    /** The segment after {@code s}, or null if {@code s} is the active one. */
    Segment segmentAfter(Segment s) {
        boolean seen = false;
        for (Segment x : segments) {
            if (seen) {
                return x;
            }
            seen = x == s;
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (dirty) {
                active.channel.force(false);
            }
            for (Segment s : segments) {
                s.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
