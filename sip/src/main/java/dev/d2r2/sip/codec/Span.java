package dev.d2r2.sip.codec;

/**
 * Reading header values where they lie in a message's bytes, for the edge's per-message path:
 * a part of a value is returned as a span {@code [from, to)} packed in one {@code long}
 * ({@link #of}, {@link #from}, {@link #to}), or {@link #NONE}, so nothing is allocated. Values
 * are ASCII as far as these functions look: names are compared case-insensitively, as RFC 3261
 * compares parameter names.
 */
public final class Span {
    /** No such part. */
    public static final long NONE = -1;

    private Span() {
    }

    public static long of(int from, int to) {
        return (long) from << 32 | to & 0xffffffffL;
    }

    public static int from(long span) {
        return (int) (span >>> 32);
    }

    public static int to(long span) {
        return (int) span;
    }

    /** Where {@code needle} first occurs in {@code b[from, to)}, or -1. */
    public static int find(byte[] b, int from, int to, byte[] needle) {
        int last = to - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (b[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** True when {@code b[from, to)} ends with {@code suffix}. */
    public static boolean endsWith(byte[] b, int from, int to, byte[] suffix) {
        return to - from >= suffix.length && find(b, to - suffix.length, to, suffix) >= 0;
    }

    /** True when {@code b[from, to)} starts with {@code prefix}. */
    public static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && find(b, from, from + prefix.length, prefix) >= 0;
    }

    /** True when {@code b[from, to)} holds exactly {@code text}'s bytes. */
    public static boolean equals(byte[] b, int from, int to, byte[] text) {
        return to - from == text.length && find(b, from, to, text) >= 0;
    }

    /** The first entry of a comma-separated value {@code b[from, to)} (commas in quotes or angle brackets aside). */
    public static long firstEntry(byte[] b, int from, int to) {
        int comma = Nesting.topLevel(b, from, to, ',');
        return of(from, trimEnd(b, from, comma < 0 ? to : comma));
    }

    /** The entry after the first of a comma-separated value, or {@link #NONE} when there is only one. */
    public static long secondEntry(byte[] b, int from, int to) {
        int comma = Nesting.topLevel(b, from, to, ',');
        if (comma < 0) {
            return NONE;
        }
        int start = trimStart(b, comma + 1, to);
        int next = Nesting.topLevel(b, start, to, ',');
        return of(start, trimEnd(b, start, next < 0 ? to : next));
    }

    /**
     * The value of parameter {@code ;name=value} in {@code b[from, to)} ({@code name} in lower
     * case), up to the next {@code ;}, {@code >} or {@code ,}, without surrounding blanks; or
     * {@link #NONE}.
     */
    public static long param(byte[] b, int from, int to, byte[] name) {
        for (int semi = indexOf(b, from, to, ';'); semi >= 0; semi = indexOf(b, semi + 1, to, ';')) {
            int start = semi + 1;
            while (start < to && b[start] == ' ') {
                start++;
            }
            int eq = start + name.length;
            if (eq < to && b[eq] == '=' && namedAt(b, start, name)) {
                int valueFrom = eq + 1;
                int valueTo = valueFrom;
                while (valueTo < to && b[valueTo] != ';' && b[valueTo] != '>' && b[valueTo] != ',') {
                    valueTo++;
                }
                valueFrom = trimStart(b, valueFrom, valueTo);
                return of(valueFrom, trimEnd(b, valueFrom, valueTo));
            }
        }
        return NONE;
    }

    /** The URI between {@code <} and {@code >} (or the end) of a name-addr in {@code b[from, to)}, as {@link Hop#bracketed}; {@link #NONE} for a bare URI. */
    public static long bracketed(byte[] b, int from, int to) {
        int lt = indexOf(b, from, to, '<');
        if (lt < 0) {
            return NONE;
        }
        int gt = indexOf(b, lt + 1, to, '>');
        return of(lt + 1, gt < 0 ? to : gt);
    }

    /** The decimal number of 1 to {@code maxDigits} digits in {@code b[from, to)}, or -1. */
    public static long number(byte[] b, int from, int to, int maxDigits) {
        if (to <= from || to - from > maxDigits) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            n = n * 10 + b[i] - '0';
        }
        return n;
    }

    public static int indexOf(byte[] b, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    public static int trimStart(byte[] b, int from, int to) {
        while (from < to && blank(b[from])) {
            from++;
        }
        return from;
    }

    public static int trimEnd(byte[] b, int from, int to) {
        while (to > from && blank(b[to - 1])) {
            to--;
        }
        return to;
    }

    private static boolean blank(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean namedAt(byte[] b, int at, byte[] lowerName) {
        for (int j = 0; j < lowerName.length; j++) {
            int c = b[at + j];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName[j]) {
                return false;
            }
        }
        return true;
    }
}
