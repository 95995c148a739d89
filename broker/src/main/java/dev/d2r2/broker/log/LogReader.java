package dev.d2r2.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads a log forward from an offset; sees records appended after it was made. Not thread-safe. */
public final class LogReader implements AutoCloseable {
    private final SegmentedLog log;
    private final ByteBuffer header = ByteBuffer.allocate(LogDescriptor.HEADER_BYTES + LogDescriptor.BODY_FIXED_BYTES);
    private Segment segment;
    private long position;
    private long nextOffset;
    private long offset = -1;
    private long time;
    private byte[] payload;

    LogReader(SegmentedLog log, long fromOffset) throws IOException {
        this.log = log;
        this.segment = log.segmentFor(fromOffset);
        long[] seek = segment.seek(fromOffset);
        this.nextOffset = seek[0];
        this.position = seek[1];
        while (nextOffset < fromOffset && skipOne()) {
            nextOffset++;
        }
    }

    private boolean skipOne() throws IOException {
        if (position + LogDescriptor.HEADER_BYTES > segment.size) {
            return false;
        }
        header.clear();
        Segment.readFully(segment.channel, header, position);
        position += LogDescriptor.HEADER_BYTES + header.getInt(0);
        return true;
    }

    public boolean next() throws IOException {
        while (position >= segment.size) {
            Segment following = log.segmentAfter(segment);
            if (following == null) {
                return false;
            }
            segment = following;
            position = 0;
        }
        header.clear();
        Segment.readFully(segment.channel, header, position);
        int length = header.getInt(0);
        offset = header.getLong(8);
        time = header.getLong(16);
        int payloadLength = length - LogDescriptor.BODY_FIXED_BYTES;
        ByteBuffer body = ByteBuffer.allocate(payloadLength);
        Segment.readFully(segment.channel, body, position + header.capacity());
        payload = body.array();
        position += LogDescriptor.HEADER_BYTES + length;
        nextOffset = offset + 1;
        return true;
    }

    public long offset() {
        return offset;
    }

    public long time() {
        return time;
    }

    /** The current record's payload (the reader's own copy). */
    public byte[] payload() {
        return payload;
    }

    @Override
    public void close() {
        payload = null;
    }
}
