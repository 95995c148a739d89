package dev.d2r2.broker.server;

import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.EnvelopeBytes;
import dev.d2r2.broker.wire.FlushPacer;
import dev.d2r2.broker.wire.Frames;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything a session writes to its client, under one lock: the reader thread's answers, the
 * ACK flusher's acknowledgements and the pump's deliveries. Answers are flushed at the end of the
 * reader's burst, deliveries when the pump goes idle (paced), acknowledgements at once.
 */
final class SessionWriter {
    private final DataOutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    /** A response or refusal was written in this burst and must not wait for the ACK flusher (reader thread only). */
    private boolean answered;
    /** Spaces the pump's flushes of deliveries (pump thread only). */
    private final FlushPacer deliveryPacer = new FlushPacer();
    /** Deliveries were written since the pump's last flush (pump thread only). */
    private boolean undelivered;
    /**
     * Only digest copies were written since the last flush (pump thread only): they wait longer
     * for company, since each is a few dozen bytes and a flush costs a TLS record and a system
     * call at both ends whatever it carries.
     */
    private boolean digestsOnly = true;
    static final long DIGEST_GAP_NANOS = 4 * FlushPacer.GAP_NANOS;

    SessionWriter(DataOutputStream out) {
        this.out = out;
    }

    void challenge(byte[] nonce) throws IOException {
        lock.lock();
        try {
            Frames.writeChallenge(out, nonce);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    void response(int request, int status, byte[] body) throws IOException {
        lock.lock();
        try {
            answered = true;
            Frames.writeResponse(out, request, status, body);
        } finally {
            lock.unlock();
        }
    }

    void refused(int publisher, long sequence, ErrorCode code, String why) throws IOException {
        lock.lock();
        try {
            answered = true;
            Frames.writeRefused(out, publisher, sequence, code.code(), why);
        } finally {
            lock.unlock();
        }
    }

    /** At the end of the reader's burst: sends the answers written in it. */
    void flushAnswers() throws IOException {
        if (answered) {
            answered = false;
            flush();
        }
    }

    /**
     * Writes and flushes the queued (publisher handle, sequence) acknowledgements, unless another
     * thread is writing (maybe blocked on a slow client): then returns false, to be called again.
     */
    boolean tryAcks(Queue<long[]> acks) throws IOException {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            long[] ack;
            while ((ack = acks.poll()) != null) {
                Frames.writeAck(out, (int) ack[0], ack[1]);
            }
            out.flush();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void deliver(int subscription, long offset, long time, EnvelopeBytes envelope) throws IOException {
        lock.lock();
        try {
            undelivered = true;
            digestsOnly = false;
            Frames.writeDeliver(out, subscription, offset, time, envelope);
        } finally {
            lock.unlock();
        }
    }

    void digest(int subscription, long offset, long time, Envelope e, byte[] digest) throws IOException {
        byte[] publisher = e.publisher().getBytes(StandardCharsets.UTF_8);
        lock.lock();
        try {
            undelivered = true;
            Frames.writeDigest(out, subscription, offset, time, publisher, e.sequence(), digest);
        } finally {
            lock.unlock();
        }
    }

    void missing(int subscription, MissingNotice n) throws IOException {
        lock.lock();
        try {
            undelivered = true;
            digestsOnly = false;
            Frames.writeMissing(out, subscription, n.fromOffset(), n.toOffset(), n.count(), n.fromTime(), n.toTime());
        } finally {
            lock.unlock();
        }
    }

    /** See {@link DeliverySink#idle()}. */
    long idle() throws IOException {
        if (!undelivered) {
            return 0;
        }
        long now = System.nanoTime();
        long wait = deliveryPacer.delay(now, digestsOnly ? DIGEST_GAP_NANOS : FlushPacer.GAP_NANOS);
        if (wait > 0) {
            return wait;
        }
        undelivered = false;
        digestsOnly = true;
        flush();
        deliveryPacer.flushed(now);
        return 0;
    }

    void ended(int subscription, ErrorCode code, String why) throws IOException {
        lock.lock();
        try {
            Frames.writeEnded(out, subscription, code.code(), why);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    void error(ErrorCode code, String why) throws IOException {
        lock.lock();
        try {
            Frames.writeError(out, code.code(), why);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    void flush() throws IOException {
        lock.lock();
        try {
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
