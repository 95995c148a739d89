package dev.d2r2.cluster.command;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * Writes the canonical binary form read back by {@link CanonicalReader}: big-endian integers,
 * strings as a 2-byte length and UTF-8, byte strings as a 4-byte length (-1 for none), sets as a
 * 4-byte count and their members in ascending order. One value has exactly one encoding, so
 * replicas that hold the same table hold the same bytes, whatever order its maps were filled in.
 */
public final class CanonicalWriter {
    /** A string's UTF-8 may be at most this long. */
    public static final int MAX_STRING_BYTES = 0xffff;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    public CanonicalWriter u8(int value) {
        out.write(value);
        return this;
    }

    public CanonicalWriter bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    public CanonicalWriter i32(int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    public CanonicalWriter i64(long value) {
        i32((int) (value >>> 32));
        return i32((int) value);
    }

    public CanonicalWriter string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + utf8.length + " bytes is longer than " + MAX_STRING_BYTES);
        }
        out.write(utf8.length >>> 8);
        out.write(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    /** A byte string, or none ({@code null}). */
    public CanonicalWriter bytes(byte[] value) {
        if (value == null) {
            return i32(-1);
        }
        i32(value.length);
        out.writeBytes(value);
        return this;
    }

    public CanonicalWriter sortedStrings(Collection<String> values) {
        List<String> sorted = values.stream().sorted().toList();
        i32(sorted.size());
        sorted.forEach(this::string);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
