package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.wire.EnvelopeBytes;
import dev.d2r2.broker.wire.FlushPacer;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.Op;

import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The client's half of the connection that writes. Requests are flushed at once; publishes are
 * buffered and flushed by the flusher thread when the publishers pause (pipelining), after the
 * connection's linger.
 */
final class ClientWriter {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread flusher;
    private final Consumer<BrokerException> onFailure;
    /** How long the flusher waits for more events before it writes (0: at once). */
    private final long lingerNanos;
    /** Spaces the flusher's flushes (flusher thread only). */
    private final FlushPacer pacer = new FlushPacer();
    private volatile boolean flushWanted;
    private volatile boolean stopped;

    ClientWriter(DataOutputStream out, Duration linger, Consumer<BrokerException> onFailure) {
        this.out = out;
        this.lingerNanos = linger.toNanos();
        this.onFailure = onFailure;
        this.flusher = Thread.ofPlatform().daemon().name("d2r2-client-flusher").unstarted(this::flushLoop);
    }

    void start() {
        flusher.start();
    }

    void request(int id, Op op, byte[] body) throws IOException {
        lock.lock();
        try {
            Frames.writeRequest(out, id, op, body);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Buffers one PUBLISH frame; the flusher sends it. */
    void publish(int handle, EnvelopeBytes envelope) {
        lock.lock();
        try {
            Frames.writePublish(out, handle, envelope);
        } catch (IOException e) {
            throw lost(e);
        } finally {
            lock.unlock();
        }
        wantFlush();
    }

    /** Buffers one FORWARD frame; the flusher sends it. */
    void forward(int handle, EnvelopeBytes envelope) {
        lock.lock();
        try {
            Frames.writeForward(out, handle, envelope);
        } catch (IOException e) {
            throw lost(e);
        } finally {
            lock.unlock();
        }
        wantFlush();
    }

    void wantFlush() {
        if (!flushWanted) {
            flushWanted = true;
            LockSupport.unpark(flusher);
        }
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(flusher);
    }

    static BrokerException lost(IOException e) {
        return new BrokerException(ErrorCode.DISCONNECTED, "broker connection lost: " + e.getMessage(), e);
    }

    private void flushLoop() {
        while (!stopped) {
            if (!flushWanted) {
                LockSupport.park(this);
                continue;
            }
            long wait = Math.max(lingerNanos, pacer.delay(System.nanoTime()));
            if (wait > 0) {
                // Publishers see flushWanted set meanwhile, so they do not wake this thread.
                LockSupport.parkNanos(wait);
            }
            flushWanted = false;
            lock.lock();
            try {
                out.flush();
                pacer.flushed(System.nanoTime());
            } catch (IOException e) {
                onFailure.accept(lost(e));
            } finally {
                lock.unlock();
            }
        }
    }
}
