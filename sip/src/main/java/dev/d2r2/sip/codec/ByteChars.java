package dev.d2r2.sip.codec;

/**
 * Bytes of a message read as characters in place (one byte, one character), so the checks that
 * run on every request can read header values without making strings. Only ASCII matters to
 * them: a byte above 127 is a character above 127 here as in the decoded text. Reused: a view is
 * valid until it is set again.
 */
final class ByteChars implements CharSequence {
    private byte[] bytes;
    private int from;
    private int to;

    ByteChars set(byte[] b, int from, int to) {
        this.bytes = b;
        this.from = from;
        this.to = to;
        return this;
    }

    /** Without leading and trailing white space, as {@link String#strip()}. */
    ByteChars strip() {
        while (from < to && Character.isWhitespace(bytes[from] & 0xff)) {
            from++;
        }
        while (to > from && Character.isWhitespace(bytes[to - 1] & 0xff)) {
            to--;
        }
        return this;
    }

    /** True when the bytes in {@code [from, to)} hold a line break: a folded value, read as unfolded text instead. */
    static boolean folded(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    @Override
    public int length() {
        return to - from;
    }

    @Override
    public char charAt(int index) {
        return (char) (bytes[from + index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().substring(start, end);
    }

    @Override
    public String toString() {
        return new String(bytes, from, to - from, java.nio.charset.StandardCharsets.UTF_8);
    }
}
