package dev.d2r2.app.replay;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.LogSpan;

import java.io.IOException;

/**
 * Where a replay reads recorded channels: a broker's data directory ({@link DataDirStore}) or a
 * running broker ({@link BrokerStore}). Both give a channel's records in offset order, as the
 * broker's subscribers would get them, up to where its log ended when the replay began.
 */
interface LogStore extends AutoCloseable {
    /** What the store is, for messages: a directory, or a broker's address. */
    String name();

    /**
     * What the channel's log holds now; null when it has no record.
     *
     * @throws dev.d2r2.broker.BrokerException UNKNOWN_CHANNEL, NOT_PERSISTENT, or a refusal
     */
    LogSpan span(String tag) throws IOException;

    /** The channel's records from the first at or after {@code sinceMillis}, up to the end of {@code span}. */
    Cursor read(String tag, long sinceMillis, LogSpan span) throws IOException, ReplayException;

    @Override
    void close();

    /** One channel read in offset order. */
    interface Cursor extends AutoCloseable {
        String tag();

        /** The next record, or null at the end. */
        Delivery next() throws IOException, ReplayException;

        @Override
        void close();
    }
}
