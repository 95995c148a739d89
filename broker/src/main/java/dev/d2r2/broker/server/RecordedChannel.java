package dev.d2r2.broker.server;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.log.LogReader;
import dev.d2r2.broker.log.SegmentedLog;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;

import java.io.IOException;

/**
 * A channel's log read on the caller's thread, from a time up to the end the log had when the
 * reader was made: what a replay reads, at its own pace, with no subscription, queue or delivery
 * thread in between. Records come as a subscriber would get them (opened on PKE channels), in
 * offset order; an offset missing from the sequence is a range that recovery cut. Not
 * thread-safe.
 */
public final class RecordedChannel implements AutoCloseable {
    private final String tag;
    private final LogReader reader;
    private final long end;
    private final PayloadOpener opener;
    private long unreadable;

    RecordedChannel(String tag, SegmentedLog log, byte[] key, long fromOffset) throws IOException {
        this.tag = tag;
        this.end = log.nextOffset();
        this.reader = log.reader(fromOffset);
        this.opener = new PayloadOpener(tag, key);
    }

    public String tag() {
        return tag;
    }

    /**
     * The next record, or null at the end. A record whose envelope does not parse or whose payload
     * does not open is skipped and counted ({@link #unreadable}), so a reader sees it as a gap.
     */
    public Delivery next() throws IOException {
        while (reader.next() && reader.offset() < end) {
            try {
                Envelope e = Envelope.parse(reader.payload());
                byte[] payload = e.event() == null ? opener.open(e) : null;
                if (e.event() != null || payload != null) {
                    return new Delivery(tag, reader.offset(), e.publisher(), e.sequence(), reader.time(), payload, e.event());
                }
            } catch (ProtocolException bad) {
                // counted below, like a payload that does not open
            }
            unreadable++;
        }
        return null;
    }

    /** Records skipped because they could not be read. */
    public long unreadable() {
        return unreadable;
    }

    @Override
    public void close() {
        reader.close();
    }
}
