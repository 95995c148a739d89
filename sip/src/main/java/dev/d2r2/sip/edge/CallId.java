package dev.d2r2.sip.edge;

import dev.d2r2.core.Rendezvous;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Call-ID as bytes, the dialog table's key. A receive loop keeps one as a probe that reads the
 * message's bytes in place ({@link #set}), so looking a dialog up makes no string; a key stored in
 * the table owns a copy ({@link #copy}).
 */
final class CallId {
    private byte[] bytes;
    private int from;
    private int to;
    private int hash;

    /** A probe, empty until {@link #set}. */
    CallId() {
    }

    static CallId of(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new CallId().set(b, 0, b.length);
    }

    /** Reads {@code b[from, to)} in place (the bytes must not change while this is used as a key). */
    CallId set(byte[] b, int from, int to) {
        this.bytes = b;
        this.from = from;
        this.to = to;
        this.hash = (int) Rendezvous.hash(b, from, to);
        return this;
    }

    /** A key of its own, for the table to keep. */
    CallId copy() {
        CallId c = new CallId();
        c.bytes = Arrays.copyOfRange(bytes, from, to);
        c.to = c.bytes.length;
        c.hash = hash;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallId c && hash == c.hash && Arrays.equals(bytes, from, to, c.bytes, c.from, c.to);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
}
