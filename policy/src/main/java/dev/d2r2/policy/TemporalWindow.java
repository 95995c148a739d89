package dev.d2r2.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a temporal context holds: on some days of the week, from a local time (inclusive) to
 * another (exclusive), in a time zone. A window whose end is before its start runs overnight
 * and belongs to the day it starts on.
 */
final class TemporalWindow {
    private final Set<DayOfWeek> days;
    private final LocalTime from;
    private final LocalTime to;
    private final ZoneId zone;

    TemporalWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {
        this.days = days.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(days);
        this.from = from;
        this.to = to;
        this.zone = zone;
    }

    boolean holds(long epochMs) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(zone);
        LocalTime time = t.toLocalTime();
        DayOfWeek day = t.getDayOfWeek();
        if (from.isBefore(to)) {
            return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
        }
        return (days.contains(day) && !time.isBefore(from)) || (days.contains(day.minus(1)) && time.isBefore(to));
    }

    /** The first instant after {@code epochMs} at which {@link #holds} changes, or {@link Long#MAX_VALUE}. */
    long nextChange(long epochMs) {
        boolean now = holds(epochMs);
        LocalDate today = Instant.ofEpochMilli(epochMs).atZone(zone).toLocalDate();
        TreeSet<Long> boundaries = new TreeSet<>();
        for (int d = -1; d <= 8; d++) {
            LocalDate date = today.plusDays(d);
            boundaries.add(date.atTime(from).atZone(zone).toInstant().toEpochMilli());
            boundaries.add(date.atTime(to).atZone(zone).toInstant().toEpochMilli());
        }
        for (long b : boundaries.tailSet(epochMs, false)) {
            if (holds(b) != now) {
                return b;
            }
        }
        return Long.MAX_VALUE;
    }
}
