package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.log.LogConfig;
import dev.d2r2.broker.log.LogDamage;
import dev.d2r2.broker.log.LogReader;
import dev.d2r2.broker.log.SegmentedLog;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.EventWindow;
import dev.d2r2.broker.wire.ProtocolException;
import dev.d2r2.core.Clock;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * A channel at run time: its spec, its log (persistent channels), and its subscribers' queues.
 *
 * <p>Publishing assigns the event an offset and offers it to every subscriber queue. Channels with
 * total order or a log do both under one lock, so every subscriber sees the log's order; other
 * channels take an offset from a counter and fan out without it, which keeps each publisher's
 * order (its events are offered one after the other by its own thread).
 */
final class ChannelRuntime implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final CopyOnWriteArrayList<ServerSubscription> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean deleted;
    private final AtomicLong nextOffset = new AtomicLong();
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final SegmentedLog log;
    private final byte[] key;
    private final byte[] channelPrefix;
    private final CounterDataPoint published;
    private final CounterDataPoint delivered;
    private final CounterDataPoint dropped;
    private final CounterDataPoint duplicates;
    private volatile ChannelSpec spec;
    private volatile boolean dirty;
    private volatile GroupCommitter committer;
    private final LogHealth health;
    private final RecentEvents recent = new RecentEvents();
    /** A replicated channel's: what its log took of the Raft log. */
    private final AppliedIndex applied;
    /** A replicated or forwarded channel's last events, to take each once. */
    private final EventWindow window;
    private final boolean forwarded;
    private final boolean ordered;
    /** Fingerprints forwarded channels' payloads, under the window's lock. */
    private final CRC32C payloadCrc = new CRC32C();
    /** A forwarded channel's skipped sequence numbers, under the window's lock. */
    private final ForwardedGaps gaps;

    ChannelRuntime(ChannelSpec spec, byte[] key, Path logDir, Clock clock, BrokerMetrics metrics) throws IOException {
        this.spec = spec;
        this.key = key;
        this.clock = clock;
        this.metrics = metrics;
        this.channelPrefix = Envelope.channelPrefix(spec.tag());
        this.log = spec.channelClass().persistence() == Persistence.LOG
                ? SegmentedLog.open(logDir, LogConfig.defaults()) : null;
        boolean replicated = log != null && spec.channelClass().durability() == Durability.REPLICATED;
        this.applied = replicated ? new AppliedIndex(logDir) : null;
        this.forwarded = spec.channelClass().durability() == Durability.FORWARDED;
        this.ordered = spec.channelClass().durability() == Durability.ORDERED;
        this.window = replicated || forwarded || ordered ? new EventWindow() : null;
        this.gaps = forwarded ? new ForwardedGaps() : null;
        if (log != null) {
            nextOffset.set(log.nextOffset());
            rememberLogTail();
        }
        this.published = metrics.published(spec.tag());
        this.delivered = metrics.delivered(spec.tag());
        this.dropped = metrics.dropped(spec.tag());
        this.duplicates = metrics.duplicates(spec.tag());
        this.health = new LogHealth(spec.tag(), metrics.logFailures(spec.tag()));
    }

    LogHealth health() {
        return health;
    }

    /** Whether the log failed a write (it then takes no more events, but is read as far as it was written). */
    boolean logFailed() {
        return log != null && log.failed();
    }

    /** Whether the log failed a write because the disk is full. */
    boolean logFull() {
        return log != null && log.full();
    }

    /** Remembers the log's last events, so that one sent again after a restart is still recognised. */
    private void rememberLogTail() throws IOException {
        CRC32C crc = new CRC32C();
        int tail = window != null ? EventWindow.SIZE : RecentEvents.WINDOW;
        try (LogReader r = log.reader(Math.max(log.firstOffset(), log.nextOffset() - tail))) {
            while (r.next()) {
                try {
                    Envelope e = Envelope.parse(r.payload());
                    long fingerprint = e.fingerprint(crc);
                    recent.firstTime(e.publisher(), e.sequence(), fingerprint);
                    if (window != null) {
                        window.take(e.publisher(), e.sequence(), forwarded || ordered ? e.payloadFingerprint(crc) : fingerprint);
                    }
                    if (gaps != null) {
                        gaps.resume(e.publisher(), e.sequence(), e.publisherTime());
                    }
                } catch (ProtocolException unreadable) {
                    // An envelope that does not parse cannot be sent again either.
                }
            }
        }
    }

    /**
     * Whether {@code e} (its fingerprint given) is new on this channel; false if the channel took
     * the same sealed event before (see {@link RecentEvents}), and counted.
     */
    boolean firstTime(Envelope e, long fingerprint) {
        if (recent.firstTime(e.publisher(), e.sequence(), fingerprint)) {
            return true;
        }
        duplicates.inc();
        return false;
    }

    /** Whether the channel's durability is {@code forwarded} (its events come directly and from other replicas). */
    boolean forwarded() {
        return forwarded;
    }

    /** Returned by {@link #publishFirstCopy} for a later copy. */
    static final long LATER_COPY = -1;

    /**
     * On a forwarded channel, appends and fans out {@code e} if it is the first copy of its event
     * here: by publisher, sequence number and payload fingerprint, since the copies a publisher
     * sends to f + 1 replicas differ in time stamp and seal. A later copy is counted as a
     * duplicate ({@link #LATER_COPY}). Taking and storing are one step, so the first copies are
     * stored in the order they were taken.
     */
    long publishFirstCopy(Envelope e, List<ServerSubscription> disconnect) throws IOException {
        synchronized (window) {
            if (window.take(e.publisher(), e.sequence(), e.payloadFingerprint(payloadCrc))) {
                long time = clock.millis();
                long offset = publish(e, time, disconnect);
                gaps.took(e.publisher(), e.sequence(), e.publisherTime(), time);
                return offset;
            }
        }
        duplicates.inc();
        return LATER_COPY;
    }

    /** A forwarded channel's ranges of skipped sequence numbers seen at or before broker time {@code seenBy}, oldest first. */
    List<ForwardedGaps.Gap> gapsSeenBy(long seenBy) {
        synchronized (window) {
            return gaps.seenBy(seenBy);
        }
    }

    /** Whether {@code e}'s sequence number is one this forwarded channel saw skipped and has not taken since. */
    boolean missing(Envelope e) {
        synchronized (window) {
            return gaps.missing(e.publisher(), e.sequence());
        }
    }

    /** Stops looking for {@code from..to} of {@code publisher} (reported missing); returns the ranges still open in it. */
    List<ForwardedGaps.Gap> forgetGap(String publisher, long from, long to) {
        synchronized (window) {
            return gaps.forget(publisher, from, to);
        }
    }

    /** Ranges given up to keep the table of skipped sequence numbers bounded. */
    List<ForwardedGaps.Gap> abandonedGaps() {
        synchronized (window) {
            return gaps.drainAbandoned();
        }
    }

    String tag() {
        return spec.tag();
    }

    ChannelSpec spec() {
        return spec;
    }

    byte[] key() {
        return key;
    }

    byte[] channelPrefix() {
        return channelPrefix;
    }

    boolean persistent() {
        return log != null;
    }

    /** The offset the next event will take. */
    long nextOffset() {
        return nextOffset.get();
    }

    /** What recovery cut from the log when the channel was opened. */
    List<LogDamage> recovered() {
        return log == null ? List.of() : log.recovered();
    }

    /** Changes class and access lists; persistence can only be changed by recreating the channel. */
    void alter(ChannelSpec newSpec) {
        checkAlter(newSpec);
        spec = newSpec;
    }

    private void checkAlter(ChannelSpec newSpec) {
        if (newSpec.channelClass().persistence() != spec.channelClass().persistence()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST,
                    "channel " + spec.tag() + ": persistence cannot be altered (it would lose or invent a log)");
        }
        if (newSpec.channelClass().durability() != spec.channelClass().durability()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST,
                    "channel " + spec.tag() + ": durability cannot be altered (the replicas' logs would differ)");
        }
    }

    /** Appends and fans out one event; returns its offset. Subscribers to disconnect are returned in {@code out}. */
    long publish(Envelope e, List<ServerSubscription> disconnect) throws IOException {
        return publish(e, NOW, disconnect);
    }

    /** For {@link #publish(Envelope, long, List)}: the broker's clock when the event is appended. */
    private static final long NOW = Long.MIN_VALUE;

    private long publish(Envelope e, long at, List<ServerSubscription> disconnect) throws IOException {
        long offset;
        if (log != null || spec.channelClass().ordering() == Ordering.TOTAL) {
            lock.lock();
            try {
                long time = at == NOW ? clock.millis() : at;
                if (log != null) {
                    offset = log.append(time, e.array(), e.offset(), e.length());
                    nextOffset.set(offset + 1);
                    dirty = true;
                } else {
                    offset = nextOffset.getAndIncrement();
                }
                fanOut(offset, time, e, disconnect);
            } finally {
                lock.unlock();
            }
        } else {
            offset = nextOffset.getAndIncrement();
            fanOut(offset, clock.millis(), e, disconnect);
        }
        published.inc();
        return offset;
    }

    /**
     * Appends the events of Raft log entry {@code raftIndex} (committed, in log order) to a
     * replicated channel's log and fans them out, stamped with the time the entry was made so
     * that every replica's log is the same; an event taken before is counted as a duplicate
     * and skipped, an entry the log already holds (a replay after a restart) skipped whole.
     */
    void applyCommitted(long raftIndex, long time, List<byte[]> envelopes, List<ServerSubscription> disconnect)
            throws IOException {
        if (applied == null) {
            throw new IllegalStateException("channel " + tag() + " is not replicated");
        }
        if (raftIndex <= applied.get()) {
            return;
        }
        CRC32C crc = new CRC32C();
        for (byte[] bytes : envelopes) {
            Envelope e;
            try {
                e = Envelope.parse(bytes);
            } catch (ProtocolException bad) {
                throw new IOException("Raft log entry " + raftIndex + " holds an envelope that does not parse", bad);
            }
            if (window.take(e.publisher(), e.sequence(), e.fingerprint(crc))) {
                publish(e, time, disconnect);
            } else {
                duplicates.inc();
            }
        }
        flushLog();
        applied.set(raftIndex);
    }

    /** Whether the channel's durability is {@code ordered} (its events are taken as a BFT orderer decides them). */
    boolean ordered() {
        return ordered;
    }

    /**
     * Appends a decided event of an ordered channel (checked by the caller) and fans it out,
     * stamped with its block's {@code height} so that every correct replica's log is the same,
     * unless the channel took the same event within its window (by publisher, sequence number
     * and payload, so that copies sealed apart for several entry replicas count as one): then it
     * is counted as a duplicate and false is returned. Called on the orderer's one thread, in
     * decided order.
     */
    boolean applyOrdered(Envelope e, long height, CRC32C crc, List<ServerSubscription> disconnect) throws IOException {
        if (!window.take(e.publisher(), e.sequence(), e.payloadFingerprint(crc))) {
            duplicates.inc();
            return false;
        }
        publish(e, height, disconnect);
        return true;
    }

    private void fanOut(long offset, long time, Envelope e, List<ServerSubscription> disconnect) {
        for (ServerSubscription s : subscribers) {
            switch (s.queue.offer(offset, time, e)) {
                case DROPPED_OLDEST -> dropped.inc();
                case DISCONNECT -> {
                    dropped.inc();
                    disconnect.add(s);
                }
                default -> { }
            }
        }
    }

    /**
     * Makes the events published so far as durable as the policy promises before an
     * acknowledgement: written to the log file, and forced to disk if fsync is {@code always}
     * (the in-process transport's synchronous commit).
     */
    void commit() throws IOException {
        flushLog();
        if (syncsBeforeAck()) {
            sync();
        }
    }

    /** Writes the log's buffered records to its file (they then survive a crash of the broker process). */
    void flushLog() throws IOException {
        if (log != null) {
            log.flush();
        }
    }

    /** Whether an acknowledgement must wait for an fsync ({@code persistence: log}, {@code fsync: always}). */
    boolean syncsBeforeAck() {
        return log != null && spec.channelClass().fsync().kind() == FsyncPolicy.Kind.ALWAYS;
    }

    /**
     * Runs {@code onDurable} once the event at {@code offset} is as durable as the channel's
     * policy promises before an acknowledgement: at once, unless fsync is {@code always}, when
     * the channel's {@link GroupCommitter} runs it after the force that covers it.
     */
    void whenDurable(long offset, Runnable onDurable, Runnable onFailed) {
        if (!syncsBeforeAck()) {
            onDurable.run();
            return;
        }
        GroupCommitter c = committer;
        if (c == null) {
            synchronized (this) {
                if (committer == null) {
                    committer = new GroupCommitter(tag(), log, health);
                }
                c = committer;
            }
        }
        c.whenDurable(offset, onDurable, onFailed);
    }

    void sync() throws IOException {
        if (log != null && dirty) {
            dirty = false;
            log.sync();
        }
    }

    void delivered() {
        delivered.inc();
    }

    ServerSubscription subscribe(int id, DeliveryPump pump, StartPosition start) throws IOException {
        ServerSubscription sub = new ServerSubscription(id, this, pump);
        if (start instanceof StartPosition.Live && log == null) {
            subscribers.add(sub);
            return sub;
        }
        if (log == null) {
            throw new BrokerException(ErrorCode.NOT_PERSISTENT,
                    "channel " + tag() + " has no log to replay from (persistence: none)");
        }
        lock.lock();
        try {
            long from = switch (start) {
                case StartPosition.FromOffset o -> Math.max(o.offset(), log.firstOffset());
                case StartPosition.Since s -> log.offsetForTime(s.timeMillis());
                case StartPosition.Live l -> log.nextOffset();
            };
            sub.firstOffset = from;
            sub.replayEnd = log.nextOffset();
            if (from < sub.replayEnd) {
                sub.replay = log.reader(from);
            }
            subscribers.add(sub);
        } finally {
            lock.unlock();
        }
        return sub;
    }

    /**
     * Visits the envelopes of the log's last {@code tail} records or of those from broker time
     * {@code sinceMillis} on, whichever are more, up to its end now; a record that does not parse
     * is skipped.
     */
    void eachLoggedSince(long sinceMillis, int tail, Consumer<Envelope> visit) throws IOException {
        long from;
        long end;
        lock.lock();
        try {
            end = log.nextOffset();
            from = Math.min(log.offsetForTime(sinceMillis), Math.max(log.firstOffset(), end - tail));
        } finally {
            lock.unlock();
        }
        try (LogReader r = log.reader(from)) {
            while (r.next() && r.offset() < end) {
                try {
                    visit.accept(Envelope.parse(r.payload()));
                } catch (ProtocolException unreadable) {
                    // Stored by an older version or damaged: nothing a peer's copy could be compared with.
                }
            }
        }
    }

    /** The log read from the first record at or after {@code sinceMillis} (broker time), up to its end now. */
    RecordedChannel read(long sinceMillis) throws IOException {
        if (log == null) {
            throw new BrokerException(ErrorCode.NOT_PERSISTENT, "channel " + tag() + " has no log to replay from (persistence: none)");
        }
        lock.lock();
        try {
            return new RecordedChannel(tag(), log, key, log.offsetForTime(sinceMillis));
        } finally {
            lock.unlock();
        }
    }

    /** What the log holds now, or null when it has no record; NOT_PERSISTENT without a log. */
    LogSpan logSpan() throws IOException {
        if (log == null) {
            throw new BrokerException(ErrorCode.NOT_PERSISTENT, "channel " + tag() + " has no log to replay from (persistence: none)");
        }
        long firstOffset;
        long nextOffset;
        long lastSegment;
        lock.lock();
        try {
            firstOffset = log.firstOffset();
            nextOffset = log.nextOffset();
            lastSegment = log.lastSegmentBase();
        } finally {
            lock.unlock();
        }
        if (nextOffset == firstOffset) {
            return null;
        }
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        try (LogReader r = log.reader(firstOffset)) {
            if (r.next()) {
                first = r.time();
            }
        }
        try (LogReader r = log.reader(lastSegment)) {
            while (r.next() && r.offset() < nextOffset) {
                last = r.time();
            }
        }
        return first == Long.MIN_VALUE ? null : new LogSpan(firstOffset, nextOffset, first, Math.max(first, last));
    }

    void unsubscribe(ServerSubscription sub) {
        subscribers.remove(sub);
        sub.queue.close();
    }

    List<ServerSubscription> subscribers() {
        return List.copyOf(subscribers);
    }

    /** Closes the channel for good: a publisher that still holds it is refused from now on. */
    void delete() throws IOException {
        deleted = true;
        close();
    }

    boolean deleted() {
        return deleted;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    long queuedEvents() {
        long n = 0;
        for (ServerSubscription s : subscribers) {
            n += s.queue.size();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        for (ServerSubscription s : subscribers) {
            s.queue.close();
        }
        if (committer != null) {
            committer.close();
        }
        if (applied != null) {
            applied.close();
        }
        if (log != null) {
            try {
                log.sync();
            } finally {
                log.close();
            }
        }
    }
}
