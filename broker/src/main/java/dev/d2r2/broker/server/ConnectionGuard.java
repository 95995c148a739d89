package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.core.Clock;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds a listener to its {@link ConnectionLimits}: admits connections at accept and identities
 * at login (refusals counted in {@code d2r2_broker_refusals_total}), lends the shared memory for
 * large frames, and on its own thread ends the sessions whose deadline has passed.
 */
final class ConnectionGuard implements AutoCloseable {
    private final ConnectionLimits limits;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final Semaphore frameMemory;
    private final Set<RemoteSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perIdentity = new HashMap<>();
    private final Thread watchdog;
    private int open;
    private int pending;
    private volatile boolean closed;

    ConnectionGuard(ConnectionLimits limits, BrokerMetrics metrics, Clock clock) {
        this.limits = limits;
        this.metrics = metrics;
        this.clock = clock;
        this.frameMemory = new Semaphore((int) limits.frameMemoryBytes(), true);
        this.watchdog = Thread.ofPlatform().daemon().name("d2r2-broker-watchdog").start(this::watch);
    }

    ConnectionLimits limits() {
        return limits;
    }

    long nanos() {
        return clock.nanos();
    }

    /** At accept: whether one more connection is allowed; a refusal is counted. */
    synchronized boolean admit() {
        if (open >= limits.connections()) {
            metrics.refused("connection_limit");
            return false;
        }
        if (pending >= limits.pendingHandshakes()) {
            metrics.refused("handshake_limit");
            return false;
        }
        open++;
        pending++;
        metrics.connections().set(open);
        metrics.pendingHandshakes().set(pending);
        return true;
    }

    void add(RemoteSession s) {
        sessions.add(s);
    }

    synchronized void handshakeEnded() {
        pending--;
        metrics.pendingHandshakes().set(pending);
    }

    /** At login, before the client is welcomed: refuses an identity that holds all its connections. */
    synchronized void admitIdentity(String identity) {
        int n = perIdentity.getOrDefault(identity, 0);
        if (n >= limits.connectionsPerIdentity()) {
            metrics.refused("identity_connection_limit");
            throw new BrokerException(ErrorCode.LIMIT, identity + " already has " + n
                    + " connections, the most one identity may hold");
        }
        perIdentity.put(identity, n + 1);
    }

    /** A session has closed; {@code identity} is the one admitted for it, or null. */
    synchronized void closed(RemoteSession s, String identity) {
        if (s != null) {
            sessions.remove(s);
        }
        open--;
        metrics.connections().set(open);
        if (identity != null) {
            perIdentity.computeIfPresent(identity, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /**
     * Reserves {@code bytes} of frame memory for a frame larger than
     * {@link ConnectionLimits#SMALL_FRAME_BYTES}, waiting for other frames to finish for at most
     * the frame timeout; refuses (counted) when that is not enough.
     */
    void reserveFrame(int bytes) throws InterruptedException {
        if (!frameMemory.tryAcquire(bytes, limits.frameTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            metrics.refused("frame_memory");
            throw new BrokerException(ErrorCode.LIMIT, "a frame of " + bytes + " bytes found no room in the broker's "
                    + limits.frameMemoryBytes() + " bytes of frame memory within " + limits.frameTimeout().toSeconds()
                    + " s; send it again later");
        }
        metrics.frameMemory().inc(bytes);
    }

    void releaseFrame(int bytes) {
        metrics.frameMemory().dec(bytes);
        frameMemory.release(bytes);
    }

    private void watch() {
        long tickNanos = tick().toNanos();
        while (!closed) {
            LockSupport.parkNanos(this, tickNanos);
            long now = clock.nanos();
            for (RemoteSession s : sessions) {
                s.checkDeadline(now);
            }
        }
    }

    /** A quarter of the shortest time limit, between 10 ms and 1 s: how late a deadline may be noticed. */
    private Duration tick() {
        Duration shortest = limits.handshakeTimeout();
        for (Duration d : new Duration[] {limits.frameTimeout(), limits.idleTimeout()}) {
            shortest = d.compareTo(shortest) < 0 ? d : shortest;
        }
        Duration t = shortest.dividedBy(4);
        return t.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10)
                : t.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : t;
    }

    void timedOut(String kind) {
        metrics.timedOut(kind);
    }

    Set<RemoteSession> sessions() {
        return sessions;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
    }
}
