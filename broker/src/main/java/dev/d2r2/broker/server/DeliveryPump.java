package dev.d2r2.broker.server;

import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One session's delivery loop, on its own thread: it takes the next event from the session's
 * most urgent subscription that has one (equal priorities take turns) and hands it to the sink.
 * Replays run through the same loop, so a replay never overtakes a more urgent channel.
 */
final class DeliveryPump implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPump.class);
    private final DeliverySink sink;
    private final BrokerMetrics metrics;
    private final SubscriberQueue.Slot slot = new SubscriberQueue.Slot();
    private volatile ServerSubscription[] subs = new ServerSubscription[0];
    private volatile boolean running = true;
    private volatile boolean signalled;
    private volatile Thread thread;
    private String name = "d2r2-pump";
    /** Counts deliveries: the rotating start of each priority's scan (pump thread only). */
    private int turns;

    DeliveryPump(DeliverySink sink, BrokerMetrics metrics) {
        this.sink = sink;
        this.metrics = metrics;
    }

    DeliverySink sink() {
        return sink;
    }

    /** Names the thread that the first subscription starts: a session that only publishes costs none. */
    void name(String name) {
        this.name = name;
    }

    void wakeUp() {
        if (!signalled) {
            signalled = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    synchronized void add(ServerSubscription s) {
        List<ServerSubscription> list = new ArrayList<>(List.of(subs));
        list.add(s);
        list.sort(Comparator.comparingInt((ServerSubscription x) -> -x.priority));
        subs = list.toArray(ServerSubscription[]::new);
        if (thread == null && running) {
            thread = Thread.ofPlatform().daemon().name(name).start(this);
        }
        wakeUp();
    }

    synchronized void remove(ServerSubscription s) {
        List<ServerSubscription> list = new ArrayList<>(List.of(subs));
        list.remove(s);
        subs = list.toArray(ServerSubscription[]::new);
    }

    void stop() {
        running = false;
        wakeUp();
    }

    @Override
    public void run() {
        try {
            while (running) {
                signalled = false;
                if (!deliverOne()) {
                    long wait = sink.idle();
                    if (wait > 0) {
                        // What arrives meanwhile goes out with the pending flush: no wake-ups for it.
                        signalled = true;
                        LockSupport.parkNanos(this, wait);
                        continue;
                    }
                    while (running && !signalled) {
                        LockSupport.park(this);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("delivery stopped: {}", e.toString());
        }
    }

    /**
     * Delivers one item from the most urgent ready subscription; false if none was ready. Within a
     * priority the scan starts at a different subscription each time, so equal priorities take
     * turns (without rearranging the array on the delivery path).
     */
    private boolean deliverOne() throws IOException {
        ServerSubscription[] s = subs;
        int turn = turns++;
        for (int start = 0; start < s.length; ) {
            int end = start + 1;
            while (end < s.length && s[end].priority == s[start].priority) {
                end++;
            }
            int group = end - start;
            for (int k = 0; k < group; k++) {
                if (deliverFrom(s[start + Math.floorMod(turn + k, group)])) {
                    return true;
                }
            }
            start = end;
        }
        return false;
    }

    private boolean deliverFrom(ServerSubscription sub) throws IOException {
        if (sub.copies.apply(sub, sink)) {
            return true;
        }
        if (sub.replay != null) {
            if (sub.replay.next() && sub.replay.offset() < sub.replayEnd) {
                try {
                    sink.deliver(sub, sub.replay.offset(), sub.replay.time(), Envelope.parse(sub.replay.payload()));
                    sub.channel.delivered();
                } catch (ProtocolException e) {
                    LOG.warn("channel {}: unreadable logged event at offset {}: {}", sub.channel.tag(),
                            sub.replay.offset(), e.getMessage());
                    metrics.refused("corrupt_log_record");
                }
                return true;
            }
            sub.replay.close();
            sub.replay = null;
        }
        MissingNotice missing = sub.queue.takeMissing(sub.channel.tag());
        if (missing != null) {
            sink.missing(sub, missing);
            return true;
        }
        if (sub.queue.poll(slot)) {
            Envelope e = slot.envelope;
            slot.envelope = null;
            sink.deliver(sub, slot.offset, slot.time, e);
            sub.channel.delivered();
            return true;
        }
        return false;
    }
}
