package dev.d2r2.sip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * OPTIONS probing of the backends from the edge's own socket: one probe per backend every
 * interval; a probe not answered within the timeout (or answered 503) is a miss. A backend is
 * down after {@value #DOWN_AFTER} misses in a row and up again after {@value #UP_AFTER} good
 * probes; each change is reported. Passive detection adds to it: forwarded requests left
 * without any answer for {@value #PASSIVE_TIMEOUT_MS} ms take a backend down at the next round
 * (the edge also takes one down after 3 answers 503 in a row).
 */
final class Prober {
    static final int DOWN_AFTER = 2;
    static final int UP_AFTER = 3;
    static final String BRANCH = "z9hG4bKd2r2probe-";
    /** Forwarded requests unanswered this long take a backend down, between probes. */
    static final long PASSIVE_TIMEOUT_MS = 1000;

    private final Supplier<List<Backend>> backends;
    private final Duration interval;
    private final Duration timeout;
    private final String advertised;
    private final Sender sender;
    private final Consumer<BackendEvent> changes;
    private final Thread thread;
    private volatile boolean running = true;
    private long seq;

    interface Sender {
        void send(byte[] message, Backend to);
    }

    Prober(Supplier<List<Backend>> backends, Duration interval, Duration timeout, String advertised, Sender sender,
           Consumer<BackendEvent> changes) {
        this.backends = backends;
        this.interval = interval;
        this.timeout = timeout;
        this.advertised = advertised;
        this.sender = sender;
        this.changes = changes;
        this.thread = Thread.ofVirtual().name("d2r2-edge-prober").start(this::run);
    }

    private void run() {
        try {
            while (running) {
                long round = ++seq;
                List<Backend> now = backends.get();
                for (Backend b : now) {
                    b.probeSent = round;
                    sender.send(options(b, round), b);
                }
                Thread.sleep(timeout);
                long at = System.currentTimeMillis();
                for (Backend b : now) {
                    long waiting = b.awaitingSince;
                    if (waiting != 0 && at - waiting > PASSIVE_TIMEOUT_MS && b.markDown()) {
                        changes.accept(new BackendEvent(b, "down", "no answer to forwarded requests for "
                                + PASSIVE_TIMEOUT_MS + " ms"));
                    }
                    judge(b, b.probeAnswered == round && b.probeStatus != 503);
                }
                Thread.sleep(Math.max(0, interval.toMillis() - timeout.toMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void judge(Backend b, boolean good) {
        synchronized (b) {
            judgeLocked(b, good);
        }
    }

    private void judgeLocked(Backend b, boolean good) {
        if (good) {
            b.missedInRow = 0;
            if (!b.up && ++b.goodInRow >= UP_AFTER) {
                b.up = true;
                changes.accept(new BackendEvent(b, "up", UP_AFTER + " good probes"));
            }
        } else {
            b.goodInRow = 0;
            if (b.up && ++b.missedInRow >= DOWN_AFTER) {
                b.up = false;
                changes.accept(new BackendEvent(b, "down", DOWN_AFTER + " probes unanswered within " + timeout.toMillis() + " ms"));
            }
        }
    }

    /** A probe answer (its Via branch names backend and round). */
    static void answered(Backend b, String branch, int status) {
        String round = branch.substring(branch.lastIndexOf('-') + 1);
        if (round.chars().allMatch(Character::isDigit) && !round.isEmpty()) {
            b.probeStatus = status;
            b.probeAnswered = Long.parseLong(round);
        }
    }

    private byte[] options(Backend b, long round) {
        String callId = "d2r2probe-" + b.id() + "-" + round;
        return ("OPTIONS sip:" + b.id() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + advertised + ";branch=" + BRANCH + round + "\r\n"
                + "Max-Forwards: 1\r\n"
                + "From: <sip:d2r2-edge@" + advertised + ">;tag=probe\r\n"
                + "To: <sip:" + b.id() + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + round + " OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }
}
