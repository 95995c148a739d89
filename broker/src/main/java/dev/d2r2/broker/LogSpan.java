package dev.d2r2.broker;

/**
 * What a persistent channel's log holds at one moment: the offsets of its first record and of the
 * next one to be appended, and the broker times of its first and last records. A reader that
 * stops before {@code nextOffset} has read the log as it was then.
 */
public record LogSpan(long firstOffset, long nextOffset, long firstTime, long lastTime) {
    public LogSpan {
        if (firstOffset < 0 || nextOffset <= firstOffset || lastTime < firstTime) {
            throw new IllegalArgumentException("not a log span: offsets " + firstOffset + ".." + nextOffset
                    + ", times " + firstTime + ".." + lastTime);
        }
    }

    /** The offset of the last record. */
    public long lastOffset() {
        return nextOffset - 1;
    }
}
