package dev.d2r2.sip.codec;

/**
 * Where a character of a header value stands: inside a quoted string (with backslash escapes),
 * inside angle brackets, or at the top level, where commas separate list entries. The state is
 * an int, so scanning allocates nothing.
 */
final class Nesting {
    private static final int QUOTED = 1;
    private static final int ESCAPED = 2;
    private static final int ANGLE = 4;

    private Nesting() {
    }

    /** The state after character {@code c}, from {@code state} (0 at the start of a value). */
    static int next(int state, int c) {
        if ((state & ESCAPED) != 0) {
            return state & ~ESCAPED;
        }
        if ((state & QUOTED) != 0) {
            return c == '\\' ? state | ESCAPED : c == '"' ? state & ~QUOTED : state;
        }
        return switch (c) {
            case '"' -> state | QUOTED;
            case '<' -> state + ANGLE;
            case '>' -> state >= ANGLE ? state - ANGLE : state;
            default -> state;
        };
    }

    /** The first {@code target} at the top level of {@code s} from {@code from}, or -1. */
    static int topLevel(CharSequence s, int from, char target) {
        int state = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (state == 0 && c == target) {
                return i;
            }
            state = next(state, c);
        }
        return -1;
    }

    /** The first {@code target} at the top level of {@code b[from, to)}, or -1. */
    static int topLevel(byte[] b, int from, int to, char target) {
        int state = 0;
        for (int i = from; i < to; i++) {
            if (state == 0 && b[i] == target) {
                return i;
            }
            state = next(state, b[i]);
        }
        return -1;
    }

    /** True when every quoted string in {@code s} is closed. */
    static boolean quotesClosed(CharSequence s) {
        int state = 0;
        for (int i = 0; i < s.length(); i++) {
            state = next(state, s.charAt(i));
        }
        return (state & (QUOTED | ESCAPED)) == 0;
    }
}
