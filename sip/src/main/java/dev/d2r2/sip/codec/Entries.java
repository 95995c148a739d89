package dev.d2r2.sip.codec;

/**
 * The entries of one header, over all its lines, split at commas outside quotes and angle
 * brackets and stripped, as {@link SipMessage#all} gives them, but read in place: each entry is
 * a view valid until {@link #next} is called again. A folded line (rare) is read as its unfolded
 * text. One per message, reused.
 */
final class Entries {
    private final ByteChars view = new ByteChars();
    private SipMessage m;
    private Header h;
    private int line;
    /** Where the next entry of the current line starts, or -1 when the line is done. */
    private int pos;
    private int lineEnd;
    private String unfolded;

    Entries of(SipMessage message, Header header) {
        m = message;
        h = header;
        line = -1;
        pos = -1;
        return this;
    }

    /** The next entry, or null after the last. */
    CharSequence next() {
        if (pos < 0 && !nextLine()) {
            return null;
        }
        int start = pos;
        int comma = unfolded != null ? Nesting.topLevel(unfolded, start, ',') : Nesting.topLevel(m.buf, start, lineEnd, ',');
        int end = comma < 0 ? lineEnd : comma;
        pos = comma < 0 ? -1 : comma + 1;
        return unfolded != null ? unfolded.substring(start, end).strip() : view.set(m.buf, start, end).strip();
    }

    private boolean nextLine() {
        for (int i = line + 1; i < m.headerCount; i++) {
            if (m.kinds[i] == h) {
                line = i;
                int from = m.valueFrom(i);
                int to = m.valueTo(i);
                unfolded = ByteChars.folded(m.buf, from, to) ? m.value(i) : null;
                pos = unfolded != null ? 0 : from;
                lineEnd = unfolded != null ? unfolded.length() : to;
                return true;
            }
        }
        return false;
    }
}
