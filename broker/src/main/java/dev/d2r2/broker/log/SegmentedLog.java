package dev.d2r2.broker.log;

import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * {@link #sync()} flushes and forces to disk.
 *
 * <p>Two locks: {@code lock} guards appends (the buffer, the active segment, its logical end);
 * {@code writeLock} lets one thread at a time write to the file, and is always taken before
 * {@code lock}, never while holding it. A flush swaps the filled buffer for a spare under
 * {@code lock} and writes it outside, so appenders go on filling the other buffer while the
 * file write runs (writes to a growing file cost milliseconds per megabyte on some machines).
 * Writes happen in append order, so a segment's {@code size} (what readers may read) only grows
 * over whole records. Readers run concurrently and see every record flushed before they read.
 */
public final class SegmentedLog implements AutoCloseable {
    private static final int WRITE_BUFFER_BYTES = 1 << 20;
    private final Path dir;
    private final LogConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final CopyOnWriteArrayList<Segment> segments;
    private final CRC32C crc = new CRC32C();
    /** Records appended to the active segment but not yet handed to a write (guarded by lock). */
    private ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    /** The other buffer, free while no write runs (guarded by writeLock). */
    private ByteBuffer spare = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private volatile Segment active;
    /** Bytes appended to the active segment, written or not (guarded by lock). */
    private long activeEnd;
    private final List<Segment> unforced = new ArrayList<>();
    private boolean dirty;
    /** Stages the direct writes (guarded by writeLock). */
    private final AlignedWriter aligned = new AlignedWriter(WRITE_BUFFER_BYTES);
    /** A write failed: positions past it are unknown, so the log takes no more appends. */
    private volatile IOException broken;
    /** What recovery found damaged and cut when the log was opened. */
    private final List<LogDamage> recovered;

    private SegmentedLog(Path dir, LogConfig config, List<Segment> segments, List<LogDamage> recovered) {
        this.dir = dir;
        this.recovered = List.copyOf(recovered);
        this.config = config;
        this.segments = new CopyOnWriteArrayList<>(segments);
        this.active = segments.getLast();
        this.activeEnd = active.size;
    }

    public static SegmentedLog open(Path dir, LogConfig config) throws IOException {
        PrivateFiles.directory(dir);
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
        List<LogDamage> damage = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            boolean last = i == bases.size() - 1;
            long limit = last ? Long.MAX_VALUE : bases.get(i + 1);
            Segment s = Segment.recover(dir.resolve(LogDescriptor.segmentName(bases.get(i))), bases.get(i), limit);
            segments.add(s);
            if (s.channel.size() > s.size) {
                SegmentRepair.Result r = SegmentRepair.repair(dir, s, limit, last);
                damage.addAll(r.damage());
                segments.addAll(r.split());
            }
        }
        if (segments.isEmpty()) {
            segments.add(Segment.create(dir, 0));
        }
        return new SegmentedLog(dir, config, segments, damage);
    }

    /**
     * What recovery cut when the log was opened: torn tails and damaged ranges, with the offsets
     * lost. Every record that verified was kept (see {@link SegmentRepair}).
     */
    public List<LogDamage> recovered() {
        return recovered;
    }

    /**
     * Whether a write failed for want of space. The log then takes no more appends (records it had
     * buffered are lost, their offsets a gap) but reads what it wrote; the broker refuses publishers
     * with "disk full" until it is restarted with space free.
     */
    public boolean full() {
        IOException e = broken;
        return e != null && isNoSpace(e);
    }

    /** Whether a write failed: the log then takes no more appends, but reads what it wrote. */
    public boolean failed() {
        return broken != null;
    }

    public static boolean isNoSpace(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    public long append(long timeMillis, byte[] payload, int off, int len) throws IOException {
        if (len < 0 || len > LogDescriptor.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + len + " bytes exceeds " + LogDescriptor.MAX_PAYLOAD_BYTES);
        }
        int recordBytes = LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES + len;
        if (recordBytes > WRITE_BUFFER_BYTES) {
            return appendLarge(timeMillis, payload, off, len, recordBytes);
        }
        while (true) {
            lock.lock();
            try {
                throwIfBroken();
                if (!mustRoll(recordBytes) && recordBytes <= pending.remaining()) {
                    return put(pending, timeMillis, payload, off, len);
                }
            } finally {
                lock.unlock();
            }
            makeRoom(recordBytes);
        }
    }

    private boolean mustRoll(int recordBytes) {
        return activeEnd > 0 && activeEnd + recordBytes > config.segmentBytes();
    }

    /** Puts one record into {@code buf} at the active segment's end; the caller holds lock. */
    private long put(ByteBuffer buf, long timeMillis, byte[] payload, int off, int len) {
        Segment s = active;
        long offset = s.nextOffset;
        int start = buf.position();
        buf.putInt(LogDescriptor.BODY_FIXED_BYTES + len).putInt(0).putLong(offset).putLong(timeMillis).put(payload, off, len);
        int end = buf.position();
        crc.reset();
        crc.update(buf.limit(end).position(start + LogDescriptor.HEADER_BYTES));
        buf.limit(buf.capacity()).position(end);
        buf.putInt(start + 4, (int) crc.getValue());
        s.indexedLocked(offset, activeEnd, timeMillis);
        s.nextOffset = offset + 1;
        activeEnd += end - start;
        dirty = true;
        return offset;
    }

    /** Writes what is buffered, and starts a new segment if {@code recordBytes} would overflow the active one. */
    private void makeRoom(int recordBytes) throws IOException {
        writeLock.lock();
        try {
            while (true) {
                writePending();
                lock.lock();
                try {
                    if (mustRoll(recordBytes)) {
                        if (pending.position() == 0) {
                            roll();
                            return;
                        }
                    } else if (pending.position() == 0 || recordBytes <= pending.remaining()) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** A record larger than the write buffer: written on its own, after what is buffered. */
    private long appendLarge(long timeMillis, byte[] payload, int off, int len, int recordBytes) throws IOException {
        writeLock.lock();
        try {
            while (true) {
                makeRoom(recordBytes);
                lock.lock();
                try {
                    throwIfBroken();
                    if (pending.position() == 0 && !mustRoll(recordBytes)) {
                        ByteBuffer record = ByteBuffer.allocate(recordBytes);
                        long offset = put(record, timeMillis, payload, off, len);
                        write(active, record.flip());
                        return offset;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes the buffered records to the file, so they survive the process and readers see them. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            writePending();
        } finally {
            writeLock.unlock();
        }
    }

    /** Swaps the filled buffer for the spare and writes it, appends going on meanwhile; the caller holds writeLock. */
    private void writePending() throws IOException {
        ByteBuffer buf;
        Segment target;
        lock.lock();
        try {
            throwIfBroken();
            if (pending.position() == 0) {
                return;
            }
            buf = pending;
            pending = spare;
            target = active;
        } finally {
            lock.unlock();
        }
        try {
            write(target, buf.flip());
        } finally {
            spare = buf.clear();
        }
    }

    /** Writes {@code buf} at the end of segment {@code s} and grows it; the caller holds writeLock. */
    private void write(Segment s, ByteBuffer buf) throws IOException {
        int n = buf.remaining();
        try {
            FileChannel direct = s.direct();
            if (direct != null) {
                aligned.write(s, direct, buf);
            } else {
                long pos = s.size;
                while (buf.hasRemaining()) {
                    pos += s.channel.write(buf, pos);
                }
            }
        } catch (IOException e) {
            broken = e;
            cutBack(s);
            throw e;
        }
        s.size += n;
    }

    /**
     * Removes what a failed write left past the segment's last whole record, freeing its space;
     * if even that fails, recovery cuts it as a torn tail at the next start.
     */
    private void cutBack(Segment s) {
        try {
            s.channel.truncate(s.size);
        } catch (IOException e) {
            broken.addSuppressed(e);
        }
    }

    private void throwIfBroken() throws IOException {
        IOException e = broken;
        if (e != null) {
            throw new IOException("the log in " + dir + " failed a write and takes no more appends: " + e.getMessage(), e);
        }
    }

    /** Starts a new segment; the caller holds both locks and nothing is buffered or being written.
     * The old segment is forced by the next {@link #sync()}, not here: a roll must not stall
     * appends (forcing 64 MiB of page cache takes tens of milliseconds). */
    private void roll() throws IOException {
        Segment old = active;
        old.trimPadding();
        unforced.add(old);
        Segment next = Segment.create(dir, old.nextOffset);
        segments.add(next);
        active = next;
        activeEnd = 0;
        enforceRetention();
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
     * Forces to disk every record appended before the call. The force runs outside both locks,
     * so publishers keep appending while the disk works (group commit).
     */
    public void sync() throws IOException {
        List<Segment> toForce;
        writeLock.lock();
        try {
            writePending();
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
        } finally {
            writeLock.unlock();
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

    /** The first offset of the last segment: reading from it finds the last record cheaply. */
    public long lastSegmentBase() {
        return segments.getLast().baseOffset;
    }

    public long firstOffset() {
        return segments.getFirst().baseOffset;
    }

    /** Writes what is buffered so that readers see it; a log that cannot be written is read as far as it was. */
    private void flushForReaders() throws IOException {
        if (broken == null) {
            try {
                flush();
            } catch (IOException e) {
                if (broken == null) {
                    throw e;
                }
            }
        }
    }

    public long offsetForTime(long timeMillis) throws IOException {
        flushForReaders();
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
        flushForReaders();
        return new LogReader(this, Math.max(fromOffset, firstOffset()));
    }

    /** Bytes in the log, including records not yet written to the file. */
    public long sizeBytes() {
        Segment last = active;
        long n = 0;
        for (Segment s : segments) {
            n += s == last ? Math.max(s.size, activeEnd) : s.size;
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
    /** Writes and forces what is buffered, then closes every segment, even when the writing fails. */
    public void close() throws IOException {
        writeLock.lock();
        try {
            writePending();
            lock.lock();
            try {
                if (dirty) {
                    active.channel.force(false);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            try {
                for (Segment s : segments) {
                    s.close();
                }
            } finally {
                writeLock.unlock();
            }
        }
    }
}
