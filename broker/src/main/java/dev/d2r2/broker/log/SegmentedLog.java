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
 * {@link LogDescriptor}). Appends are gathered in a write buffer and reach the file (the OS page
 * cache, which survives the death of the process) on {@link #flush()}, when the buffer is full,
 * and before anything reads the file; one write per burst instead of one per record.
 * {@link #sync()} flushes and forces to disk. One appender at a time (an internal lock); readers
 * run concurrently and see every record that was appended before they were created.
 */
public final class SegmentedLog implements AutoCloseable {
    private final Path dir;
    private final LogConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final CopyOnWriteArrayList<Segment> segments;
    private static final int WRITE_BUFFER_BYTES = 256 * 1024;
    private final CRC32C crc = new CRC32C();
    /** Records appended to the active segment but not yet written to its file. */
    private final ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
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
            long pos = s.size + pending.position();
            if (pos > 0 && pos + recordBytes > config.segmentBytes()) {
                s = roll();
                pos = 0;
            }
            if (recordBytes > pending.remaining()) {
                writePending();
            }
            long offset = s.nextOffset;
            ByteBuffer record = recordBytes <= pending.capacity() ? pending : ByteBuffer.allocate(recordBytes);
            int start = record.position();
            record.putInt(LogDescriptor.BODY_FIXED_BYTES + len).putInt(0).putLong(offset).putLong(timeMillis).put(payload, off, len);
            int end = record.position();
            crc.reset();
            crc.update(record.limit(end).position(start + LogDescriptor.HEADER_BYTES));
            record.limit(record.capacity()).position(end);
            record.putInt(start + 4, (int) crc.getValue());
            if (record != pending) {
                writeFully(s, record.flip());
            }
            s.indexedLocked(offset, pos, timeMillis);
            s.nextOffset = offset + 1;
            dirty = true;
            return offset;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the buffered records to the file, so they survive the process and readers see them. */
    public void flush() throws IOException {
        lock.lock();
        try {
            writePending();
        } finally {
            lock.unlock();
        }
    }

    private void writePending() throws IOException {
        if (pending.position() > 0) {
            writeFully(active, pending.flip());
            pending.clear();
        }
    }

    /** Writes {@code buf} at the end of segment {@code s} (one positional write, no seek) and grows it. */
    private static void writeFully(Segment s, ByteBuffer buf) throws IOException {
        long pos = s.size;
        int n = buf.remaining();
        while (buf.hasRemaining()) {
            pos += s.channel.write(buf, pos);
        }
        s.size += n;
    }

    /** Starts a new segment. The old one is forced by the next {@link #sync()}, not here: a roll
     * must not stall appends (forcing 64 MiB of page cache takes tens of milliseconds). */
    private Segment roll() throws IOException {
        writePending();
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
            writePending();
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
        flush();
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
        flush();
        return new LogReader(this, Math.max(fromOffset, firstOffset()));
    }

    /** Bytes in the log, including records not yet flushed to the file. */
    public long sizeBytes() {
        long n = pending.position();
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
            writePending();
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
