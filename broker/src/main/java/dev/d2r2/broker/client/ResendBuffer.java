package dev.d2r2.broker.client;

import dev.d2r2.broker.wire.EnvelopeBytes;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A publisher's unacknowledged events, kept as the exact envelope bytes it sent, so that after a
 * failover it sends the same bytes again: the broker recognises an envelope it already took by
 * publisher, sequence and fingerprint and acknowledges it without storing it twice. The bytes
 * live in one circular array (an entry is never split) that grows by doubling up to a bound and
 * is then reused: appending costs a copy and no allocation. Not thread-safe: its publisher's lock
 * guards it.
 */
final class ResendBuffer {
    /**
     * At most this many events unacknowledged: the broker remembers the last 1,024 sequence
     * numbers of each publisher ({@code RecentEvents.WINDOW}), and a resent event older than those
     * would be stored again.
     */
    static final int MAX_EVENTS = 1024;
    private static final int INITIAL_BYTES = 64 * 1024;

    private final int maxBytes;
    private final int[] starts = new int[MAX_EVENTS];
    private final int[] lengths = new int[MAX_EVENTS];
    private final Cursor cursor = new Cursor();
    private final DataOutputStream out = new DataOutputStream(cursor);
    private final Entry entry = new Entry();
    private byte[] data;
    /** The oldest sequence number held, and the next one to append. */
    private long first = 1;
    private long next = 1;
    /** Byte positions of the oldest entry and of where the next one goes. */
    private int head;
    private int tail;

    ResendBuffer(int maxBytes) {
        this.maxBytes = maxBytes;
        this.data = new byte[Math.min(INITIAL_BYTES, maxBytes)];
    }

    /** Forgets the events up to {@code acked}: the broker has them. */
    void release(long acked) {
        while (first < next && first <= acked) {
            first++;
        }
        if (first == next) {
            head = 0;
            tail = 0;
        } else {
            head = starts[slot(first)];
        }
    }

    /**
     * Appends event {@code sequence} (the one after the last appended); false when there is no
     * room until more events are acknowledged.
     */
    boolean append(long sequence, EnvelopeBytes envelope) {
        if (sequence != next) {
            throw new IllegalStateException("event " + sequence + " appended after " + (next - 1));
        }
        if (next - first >= MAX_EVENTS) {
            return false;
        }
        int length = envelope.length();
        int at = place(length);
        if (at < 0) {
            if (!grow(length)) {
                return false;
            }
            at = place(length);
        }
        cursor.at(at);
        try {
            envelope.writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array failed", e);
        }
        int s = slot(sequence);
        starts[s] = at;
        lengths[s] = length;
        tail = at + length;
        next++;
        return true;
    }

    /** The oldest sequence number still held (the next one when none is). */
    long first() {
        return first;
    }

    /** The last sequence number appended (0: none yet). */
    long last() {
        return next - 1;
    }

    /** Event {@code sequence}'s bytes, as a view that the next call reuses. */
    EnvelopeBytes get(long sequence) {
        if (sequence < first || sequence >= next) {
            throw new IllegalArgumentException("event " + sequence + " is not held (" + first + ".." + (next - 1) + ")");
        }
        int s = slot(sequence);
        entry.set(starts[s], lengths[s]);
        return entry;
    }

    private static int slot(long sequence) {
        return (int) Math.floorMod(sequence, (long) MAX_EVENTS);
    }

    /** Where {@code length} bytes fit without splitting, or -1. */
    private int place(int length) {
        if (first == next) {
            return length <= data.length ? 0 : -1;
        }
        if (tail > head) {
            if (data.length - tail >= length) {
                return tail;
            }
            return head > length ? 0 : -1;
        }
        return head - tail > length ? tail : -1;
    }

    /**
     * Moves the entries to the front of a larger array that fits {@code length} more bytes: up to
     * the bound, or beyond it for an event that is alone (a large event is never refused).
     */
    private boolean grow(int length) {
        long held = 0;
        for (long q = first; q < next; q++) {
            held += lengths[slot(q)];
        }
        long need = held + length + 1;
        long size = data.length;
        while (size < need) {
            size *= 2;
        }
        if (first != next) {
            size = Math.min(size, maxBytes);
            if (size < need) {
                return false;
            }
        }
        byte[] bigger = new byte[(int) Math.min(size, Integer.MAX_VALUE - 8)];
        int at = 0;
        for (long q = first; q < next; q++) {
            int s = slot(q);
            System.arraycopy(data, starts[s], bigger, at, lengths[s]);
            starts[s] = at;
            at += lengths[s];
        }
        data = bigger;
        head = 0;
        tail = at;
        return true;
    }

    /** Writes into {@link #data} from a position. */
    private final class Cursor extends OutputStream {
        private int position;

        void at(int p) {
            position = p;
        }

        @Override
        public void write(int b) {
            data[position++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, data, position, len);
            position += len;
        }
    }

    /** One held envelope, written as it was first sent. */
    private final class Entry implements EnvelopeBytes {
        private int start;
        private int length;

        void set(int s, int l) {
            start = s;
            length = l;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void writeTo(DataOutput o) throws IOException {
            o.write(data, start, length);
        }
    }
}
