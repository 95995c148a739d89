package dev.d2r2.broker.log;

/**
 * The on-disk layout of a channel log.
 *
 * <p>A log is a directory of segment files named by the offset of their first record, 20 digits,
 * zero-padded ({@code 00000000000000000000.log}). Records follow each other with no gaps, and
 * within a segment their offsets are consecutive from the base; offsets missing between one
 * segment and the next are records that recovery found damaged and cut:
 *
 * <pre>
 *  0        4        8                16               24
 *  +--------+--------+----------------+----------------+----------------------+
 *  | length | crc32c | offset         | time (ms)      | payload ...          |
 *  +--------+--------+----------------+----------------+----------------------+
 *  length: int32, bytes of the body (offset + time + payload)
 *  crc32c: int32, CRC-32C of the body
 * </pre>
 *
 * Big-endian. A record whose length is out of range, whose body is cut short or whose CRC does
 * not match is damaged: recovery keeps every record after it that verifies and cuts the rest
 * (see {@link SegmentRepair}).
 */
public final class LogDescriptor {
    public static final int HEADER_BYTES = 8;
    public static final int BODY_FIXED_BYTES = 16;
    public static final int MAX_PAYLOAD_BYTES = 16 << 20;
    public static final String SUFFIX = ".log";
    /** One sparse-index entry per this many bytes of segment. */
    public static final int INDEX_INTERVAL_BYTES = 4096;

    private LogDescriptor() {
    }

    public static String segmentName(long baseOffset) {
        return String.format("%020d%s", baseOffset, SUFFIX);
    }
}
