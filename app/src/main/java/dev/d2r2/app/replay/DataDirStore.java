package dev.d2r2.app.replay;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.RecordedChannel;
import dev.d2r2.core.Clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data directory of a stopped broker (or a copy of a running one's), read on the replay's
 * thread with no subscription, queue or delivery thread in between.
 */
final class DataDirStore implements LogStore {
    private final Path dir;
    private final Broker broker;

    private DataDirStore(Path dir, Broker broker) {
        this.dir = dir;
        this.broker = broker;
    }

    static DataDirStore open(Path dir) throws ReplayException, IOException {
        if (!Files.isRegularFile(dir.resolve("control.json"))) {
            throw new ReplayException(dir + ": not a broker's data directory (no control.json)");
        }
        return new DataDirStore(dir, Broker.open(dir, Clock.system()));
    }

    @Override
    public String name() {
        return dir.toString();
    }

    @Override
    public LogSpan span(String tag) throws IOException {
        return broker.logSpan(tag);
    }

    @Override
    public Cursor read(String tag, long sinceMillis, LogSpan span) throws IOException {
        RecordedChannel channel = broker.readLog(tag, sinceMillis);
        return new Cursor() {
            @Override
            public String tag() {
                return tag;
            }

            @Override
            public Delivery next() throws IOException {
                return channel.next();
            }

            @Override
            public void close() {
                channel.close();
            }
        };
    }

    @Override
    public void close() {
        broker.close();
    }
}
