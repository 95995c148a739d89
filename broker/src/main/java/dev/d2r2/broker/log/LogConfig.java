package dev.d2r2.broker.log;

/**
 * @param segmentBytes a segment is closed and a new one started before it would exceed this
 * @param retainBytes 0 keeps everything; else the oldest whole segments are deleted while the
 *                    log is larger (the active segment is never deleted)
 */
public record LogConfig(long segmentBytes, long retainBytes) {
    public LogConfig {
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segmentBytes must be at least 4096, not " + segmentBytes);
        }
        if (retainBytes < 0) {
            throw new IllegalArgumentException("retainBytes must not be negative");
        }
    }

    public static LogConfig defaults() {
        return new LogConfig(64L << 20, 0);
    }
}
