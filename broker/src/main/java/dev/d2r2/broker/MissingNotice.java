package dev.d2r2.broker;

/**
 * The TESS Missing-Event notice: {@code count} events of this channel, with offsets in
 * [{@code fromOffset}, {@code toOffset}] and publish times in [{@code fromTime}, {@code toTime}],
 * were dropped for this subscriber.
 */
public record MissingNotice(String channel, long fromOffset, long toOffset, long count, long fromTime,
                            long toTime) {
}
