package dev.d2r2.app.replay;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The recorded channels of a broker — its data directory, or the broker running — read as one
 * stream: each channel's log on this thread, merged in the order of the broker's time, then the
 * channel's rank, then the offset. Memory holds one record per channel (and, from a running
 * broker, a bounded queue per channel), whatever the length of the range. A range of offsets the
 * log lacks, or a record that does not read as an event, is a gap: reported with the span it
 * covers before anything later is read, so that what follows can be marked uncertain.
 */
public final class RecordedLog implements Replay.Source, AutoCloseable {
    /** What the stream gives: records in order, and the gaps as they are found. */
    public interface Reader {
        void record(Recorded r) throws ReplayException;

        void missing(Output.Gap gap);
    }

    private final LogStore store;
    private final List<String> channels;
    private final Map<String, LogSpan> spans;
    private final long from;
    private final long to;

    private RecordedLog(LogStore store, List<String> channels, Map<String, LogSpan> spans, long from, long to) {
        this.store = store;
        this.channels = channels;
        this.spans = spans;
        this.from = from;
        this.to = to;
    }

    /**
     * Opens the data directory of a stopped broker (or a copy of a running one's) for the
     * {@code channels}, over [{@code from}, {@code to}] (null: from the log's first record, to its
     * last). Every channel must be in the log and recorded, and the range within the log's span.
     */
    public static RecordedLog open(Path dataDir, List<String> channels, Long from, Long to) throws ReplayException, IOException {
        return open(DataDirStore.open(dataDir), channels, from, to);
    }

    /**
     * Opens a running broker's recorded {@code channels} through clients made by {@code connector}
     * (one per channel, and one to ask where the logs end), as {@link #open(Path, List, Long, Long)}:
     * the recording is what the logs held when this returns.
     */
    public static RecordedLog open(String broker, BrokerStore.Connector connector, List<String> channels, Long from, Long to)
            throws ReplayException, IOException {
        return open(BrokerStore.open(broker, connector), channels, from, to);
    }

    private static RecordedLog open(LogStore store, List<String> channels, Long from, Long to) throws ReplayException, IOException {
        try {
            Map<String, LogSpan> spans = new HashMap<>();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (String tag : channels) {
                LogSpan span = span(store, tag);
                spans.put(tag, span);
                if (span != null) {
                    first = Math.min(first, span.firstTime());
                    last = Math.max(last, span.lastTime());
                }
            }
            if (first == Long.MAX_VALUE) {
                throw new ReplayException("channels " + String.join(", ", channels) + " recorded nothing in " + store.name());
            }
            long start = from == null ? first : from;
            long end = to == null ? last : to;
            if (start > end) {
                throw new ReplayException("--from " + Instant.ofEpochMilli(start) + " is after --to " + Instant.ofEpochMilli(end));
            }
            if (start < first || end > last) {
                throw new ReplayException("the range " + Instant.ofEpochMilli(start) + " .. " + Instant.ofEpochMilli(end)
                        + " is not within the log, which holds " + Instant.ofEpochMilli(first) + " .. " + Instant.ofEpochMilli(last));
            }
            return new RecordedLog(store, List.copyOf(channels), spans, start, end);
        } catch (ReplayException | IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A time as replay takes it: an instant ({@code 2026-12-04T10:00:00Z}) or epoch ms; null stays null. */
    public static Long instant(String text, String what) throws ReplayException {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException notMillis) {
                throw new ReplayException(what + " " + text + ": not an instant (2026-12-04T10:00:00Z) nor epoch ms");
            }
        }
    }

    private static LogSpan span(LogStore store, String tag) throws ReplayException, IOException {
        try {
            return store.span(tag);
        } catch (BrokerException e) {
            throw new ReplayException(switch (e.code()) {
                case UNKNOWN_CHANNEL -> "missing channel " + tag + ": the log has no such channel";
                case NOT_PERSISTENT -> "missing channel " + tag + ": it keeps no log (persistence: none), so nothing was recorded";
                default -> e.getMessage();
            });
        }
    }

    public long from() {
        return from;
    }

    @Override
    public long to() {
        return to;
    }

    /** One channel's reader and its next record. */
    private static final class Head {
        final LogStore.Cursor channel;
        final LogSpan span;
        final int rank;
        Delivery next;
        long lastOffset = -1;
        long lastAt;

        Head(LogStore.Cursor channel, LogSpan span, int rank) {
            this.channel = channel;
            this.span = span;
            this.rank = rank;
        }
    }

    /** Reads the range in order into {@code reader}. */
    @Override
    public void play(Reader reader) throws IOException, ReplayException {
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparingLong((Head h) -> h.next.publishTime())
                .thenComparingInt(h -> h.rank).thenComparingLong(h -> h.next.offset()));
        List<Head> all = new ArrayList<>();
        try {
            for (int i = 0; i < channels.size(); i++) {
                String tag = channels.get(i);
                Head h = new Head(store.read(tag, from, spans.get(tag)), spans.get(tag), i);
                all.add(h);
                if (advance(h, reader)) {
                    heads.add(h);
                }
            }
            Head h;
            while ((h = heads.poll()) != null) {
                Delivery d = h.next;
                if (advance(h, reader)) {
                    heads.add(h);
                }
                Event e = decode(d, reader);
                if (e != null) {
                    reader.record(new Recorded(d.channel(), d.offset(), d.publishTime(), e));
                }
            }
        } finally {
            all.forEach(x -> x.channel.close());
        }
    }

    /** The event, or null when the record does not read as one (then a gap of one). */
    private static Event decode(Delivery d, Reader reader) {
        try {
            return d.namedEvent();
        } catch (EventFormatException bad) {
            reader.missing(new Output.Gap(d.channel(), d.publishTime(), d.publishTime(), 1));
            return null;
        }
    }

    /**
     * Reads the channel's next record within the range, reporting a gap of offsets before it;
     * false at the channel's end.
     */
    private boolean advance(Head h, Reader reader) throws IOException, ReplayException {
        if (h.next != null) {
            h.lastOffset = h.next.offset();
            h.lastAt = h.next.publishTime();
        }
        Delivery d = h.channel.next();
        if (d != null && d.publishTime() > to) {
            d = null;
        }
        if (d != null && h.lastOffset >= 0 && d.offset() != h.lastOffset + 1) {
            reader.missing(new Output.Gap(h.channel.tag(), h.lastAt, d.publishTime(), d.offset() - h.lastOffset - 1));
        } else if (d == null && h.span != null && h.lastOffset >= 0 && h.lastOffset < h.span.lastOffset() && h.span.lastTime() <= to) {
            reader.missing(new Output.Gap(h.channel.tag(), h.lastAt, h.span.lastTime(), h.span.lastOffset() - h.lastOffset));
        }
        h.next = d;
        return d != null;
    }

    @Override
    public void close() {
        store.close();
    }
}
