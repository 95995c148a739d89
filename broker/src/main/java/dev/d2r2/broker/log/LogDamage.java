package dev.d2r2.broker.log;

/**
 * What recovery found wrong in a segment and did about it: the byte range
 * [{@code position}, + {@code bytes}) of {@code segment} was cut, and the records with offsets
 * [{@code fromOffset}, {@code toOffset}] are lost (none when {@code toOffset < fromOffset}).
 * Damaged bytes are kept aside in {@code quarantine} (a file next to the segment; null for a
 * torn tail, which holds no whole record).
 */
public record LogDamage(String segment, Kind kind, long position, long bytes, long fromOffset, long toOffset,
                        String quarantine) {

    public enum Kind {
        /** The log ends in part of a record: a write the process or machine died in. */
        TORN_TAIL,
        /** Whole records fail their checksum (or break the offset sequence). */
        DAMAGED
    }

    public long lostOffsets() {
        return Math.max(0, toOffset - fromOffset + 1);
    }
}
