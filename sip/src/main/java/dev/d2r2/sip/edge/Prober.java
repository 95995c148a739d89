package dev.d2r2.sip.edge;

import dev.d2r2.core.agent.Agent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * OPTIONS probing of the backends from the edge's own socket, as an agent on the edge's clock:
 * one probe per backend every interval; a probe not answered within the timeout (or answered 503) is a miss. A backend is
 * down after {@value #DOWN_AFTER} misses in a row and up again after {@value #UP_AFTER} good
 * probes; each change is reported. Passive detection adds to it: forwarded requests left
 * without any answer for {@value #PASSIVE_TIMEOUT_MS} ms take a backend down at the next round
 * (the edge also takes one down after 3 answers 503 in a row).
 */
final class Prober implements Agent {
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
    private long seq;
    private List<Backend> probed = List.of();
    private long nextRoundAt;
    private long judgeAt = Long.MAX_VALUE;

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
    }

    @Override
    public String roleName() {
        return "edge-prober";
    }

    @Override
    public void onMessage(Object message) {
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextRoundAt, judgeAt);
    }

    /** A round's probes are judged {@code timeout} after they went, and the next round starts an interval after the last. */
    @Override
    public void onTimer(long now) {
        if (now >= judgeAt) {
            judge(now);
            judgeAt = Long.MAX_VALUE;
        }
        if (now >= nextRoundAt && judgeAt == Long.MAX_VALUE) {
            long round = ++seq;
            probed = backends.get();
            for (Backend b : probed) {
                b.probeSent = round;
                sender.send(options(b, round), b);
            }
            judgeAt = now + timeout.toMillis();
            nextRoundAt = now + Math.max(interval.toMillis(), timeout.toMillis());
        }
    }

    private void judge(long now) {
        for (Backend b : probed) {
            long waiting = b.awaitingSince;
            if (waiting != 0 && now - waiting > PASSIVE_TIMEOUT_MS && b.markDown()) {
                changes.accept(new BackendEvent(b, "down", "no answer to forwarded requests for "
                        + PASSIVE_TIMEOUT_MS + " ms"));
            }
            judge(b, b.probeAnswered == seq && b.probeStatus != 503);
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

}
