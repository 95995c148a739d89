package dev.d2r2.app.demo;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.agent.Agent;

import java.nio.ByteBuffer;

/**
 * The demo's publisher on a replicated channel of its own while the broker's leader is killed:
 * an event every {@value #EVERY_MS} ms whose payload is its number (1, 2, ...), and the time the
 * acknowledgements move on. From them, the failover (from the kill to the first acknowledgement
 * after it, which only a new leader's commit can give) and, read back from every replica's log
 * at the end, the acknowledged events lost. Its events are opaque numbers, never read by a role.
 */
final class Witness implements Agent {
    static final String CHANNEL = "demo-witness";
    static final ChannelClass CLASS = ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER);
    private static final long EVERY_MS = 20;
    /** How often the acknowledgements are looked at: the failover's resolution. */
    private static final long LOOK_MS = 5;

    /** The leader was killed between {@code from} and {@code done} (epoch ms). */
    record Killed(long from, long done) {
    }

    /** Stop publishing; what was acknowledged stays. */
    record Stop() {
    }

    private final BrokerClient client;
    private Publisher publisher;
    private long published;
    private long nextPublish;
    private long nextLook;
    private Killed killed;
    private volatile long acknowledged;
    private volatile Double failoverSeconds;
    private boolean stopped;

    Witness(BrokerClient client) {
        this.client = client;
    }

    @Override
    public String roleName() {
        return "demo-witness";
    }

    @Override
    public void onStart() {
        publisher = client.publisher(CHANNEL);
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Killed k -> killed = k;
            case Stop _ -> stopped = true;
            default -> throw new IllegalArgumentException("the witness takes no " + message);
        }
    }

    @Override
    public long nextDueMillis() {
        return nextLook;
    }

    @Override
    public void onTimer(long now) {
        if (!stopped && now >= nextPublish) {
            published++;
            publisher.publish(ByteBuffer.allocate(Long.BYTES).putLong(published).array());
            nextPublish = now + EVERY_MS;
        }
        long ack = publisher.acknowledged();
        if (ack > acknowledged) {
            acknowledged = ack;
            if (killed != null && failoverSeconds == null && now >= killed.done()) {
                failoverSeconds = (now - killed.from()) / 1000.0;
            }
        }
        nextLook = now + LOOK_MS;
    }

    /** The highest event number acknowledged, with all before it. */
    long acknowledged() {
        return acknowledged;
    }

    /** From the kill to the first acknowledgement after it; null before that. */
    Double failoverSeconds() {
        return failoverSeconds;
    }

    @Override
    public void onClose() {
        if (publisher != null) {
            publisher.close();
        }
        client.close();
    }
}
