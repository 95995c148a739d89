package dev.d2r2.cluster.command;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads what {@link CanonicalWriter} writes, refusing every byte string that is not the one
 * canonical encoding of a value: truncated input, lengths past the end, bad UTF-8, booleans
 * other than 0 and 1, set members out of order or repeated, bytes left over.
 */
public final class CanonicalReader {
    private final byte[] in;
    private final String what;
    private int pos;

    public CanonicalReader(byte[] in, String what) {
        this.in = in;
        this.what = what;
    }

    public MalformedCommandException malformed(String reason) {
        return new MalformedCommandException(what + " malformed at byte " + pos + ": " + reason);
    }

    private void need(int n) throws MalformedCommandException {
        if (n < 0 || in.length - pos < n) {
            throw malformed("needs " + n + " more bytes, " + (in.length - pos) + " left");
        }
    }

    public int u8() throws MalformedCommandException {
        need(1);
        return in[pos++] & 0xff;
    }

    public boolean bool() throws MalformedCommandException {
        int b = u8();
        if (b > 1) {
            throw malformed("boolean is " + b + ", not 0 or 1");
        }
        return b == 1;
    }

    public int i32() throws MalformedCommandException {
        need(4);
        int v = (in[pos] & 0xff) << 24 | (in[pos + 1] & 0xff) << 16 | (in[pos + 2] & 0xff) << 8 | in[pos + 3] & 0xff;
        pos += 4;
        return v;
    }

    public long i64() throws MalformedCommandException {
        long high = i32();
        return high << 32 | i32() & 0xffffffffL;
    }

    public String string() throws MalformedCommandException {
        need(2);
        int n = (in[pos] & 0xff) << 8 | in[pos + 1] & 0xff;
        pos += 2;
        need(n);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw malformed("string is not UTF-8");
        }
    }

    /** A byte string, or {@code null} for none. */
    public byte[] bytes() throws MalformedCommandException {
        int n = i32();
        if (n == -1) {
            return null;
        }
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return b;
    }

    public Set<String> sortedStrings() throws MalformedCommandException {
        int n = i32();
        if (n < 0 || n > in.length - pos) {
            throw malformed("set of " + n + " members cannot fit in " + (in.length - pos) + " bytes");
        }
        TreeSet<String> set = new TreeSet<>();
        String previous = null;
        for (int i = 0; i < n; i++) {
            String s = string();
            if (previous != null && previous.compareTo(s) >= 0) {
                throw malformed("set members are not in ascending order (\"" + s + "\" after \"" + previous + "\")");
            }
            set.add(s);
            previous = s;
        }
        return set;
    }

    /** Ends the read: bytes left over make the input malformed. */
    public void end() throws MalformedCommandException {
        if (pos != in.length) {
            throw malformed((in.length - pos) + " bytes left over");
        }
    }
}
