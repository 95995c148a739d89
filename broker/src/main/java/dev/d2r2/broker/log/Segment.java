package dev.d2r2.broker.log;

import dev.d2r2.core.files.PrivateFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** One segment file: its base offset, size, first record time and a sparse offset→position index. */
final class Segment {
    final Path file;
    final long baseOffset;
    final FileChannel channel;
    volatile long size;
    volatile long nextOffset;
    long firstTime = Long.MIN_VALUE;
    private long[] indexOffsets = new long[16];
    private long[] indexPositions = new long[16];
    private int indexCount;
    private long lastIndexedPosition = -LogDescriptor.INDEX_INTERVAL_BYTES;
    private FileChannel direct;
    private boolean directTried;

    private Segment(Path file, long baseOffset, FileChannel channel) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.nextOffset = baseOffset;
    }

    static Segment create(Path dir, long baseOffset) throws IOException {
        Path f = dir.resolve(LogDescriptor.segmentName(baseOffset));
        return new Segment(f, baseOffset, PrivateFiles.open(f, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /**
     * Opens an existing segment and scans it up to the first record that does not verify, or whose
     * offset is not the next one or reaches {@code limitOffset} (the next segment's base). Bytes
     * after that are left for {@link SegmentRepair}: {@link #size} is where the good records end.
     */
    static Segment recover(Path file, long baseOffset, long limitOffset) throws IOException {
        Segment s = new Segment(file, baseOffset, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
        long end = s.channel.size();
        ByteBuffer header = ByteBuffer.allocate(LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES);
        CRC32C crc = new CRC32C();
        long pos = 0;
        long expected = baseOffset;
        while (pos + LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES <= end && expected < limitOffset) {
            header.clear();
            readFully(s.channel, header, pos);
            int length = header.getInt(0);
            int sum = header.getInt(4);
            if (length < LogDescriptor.BODY_FIXED_BYTES || length > LogDescriptor.BODY_FIXED_BYTES + LogDescriptor.MAX_PAYLOAD_BYTES
                    || pos + LogDescriptor.HEADER_BYTES + length > end) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(s.channel, body, pos + LogDescriptor.HEADER_BYTES);
            crc.reset();
            crc.update(body.array(), 0, length);
            if ((int) crc.getValue() != sum || body.getLong(0) != expected) {
                break;
            }
            s.indexed(expected, pos, body.getLong(8));
            pos += LogDescriptor.HEADER_BYTES + length;
            expected++;
        }
        s.size = pos;
        s.nextOffset = expected;
        return s;
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new IOException("unexpected end of segment");
            }
            p += n;
        }
        buf.flip();
    }

    /** Notes a record for the index and the first time. */
    void indexed(long offset, long position, long time) {
        if (firstTime == Long.MIN_VALUE) {
            firstTime = time;
        }
        if (position - lastIndexedPosition >= LogDescriptor.INDEX_INTERVAL_BYTES) {
            if (indexCount == indexOffsets.length) {
                indexOffsets = java.util.Arrays.copyOf(indexOffsets, indexCount * 2);
                indexPositions = java.util.Arrays.copyOf(indexPositions, indexCount * 2);
            }
            indexOffsets[indexCount] = offset;
            indexPositions[indexCount] = position;
            indexCount++;
            lastIndexedPosition = position;
        }
    }

    /** The position of the latest indexed record at or before {@code offset}; and that record's offset. */
    synchronized long[] seek(long offset) {
        int lo = 0;
        int hi = indexCount - 1;
        int best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (indexOffsets[mid] <= offset) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best < 0 ? new long[]{baseOffset, 0} : new long[]{indexOffsets[best], indexPositions[best]};
    }

    synchronized void indexedLocked(long offset, long position, long time) {
        indexed(offset, position, time);
    }

    /**
     * A second channel to the file that writes around the page cache ({@code O_DIRECT}), opened on
     * first use; null where the file system does not support it. Reads keep using {@link #channel}.
     */
    FileChannel direct() {
        if (!directTried) {
            directTried = true;
            try {
                direct = FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException e) {
                direct = null;
            }
        }
        return direct;
    }

    /** Cuts the zeros that direct writes padded the last block with, once no more writes come. */
    void trimPadding() throws IOException {
        if (direct != null && channel.isOpen() && channel.size() > size) {
            channel.truncate(size);
        }
    }

    void close() throws IOException {
        trimPadding();
        channel.close();
        if (direct != null) {
            direct.close();
        }
    }
}
