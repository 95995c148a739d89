package dev.d2r2.sip.edge;

import dev.d2r2.core.agent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The backends' health, as an agent on the edge's clock: one OPTIONS probe per backend every
 * interval, judged a timeout later. A round is good for a backend that answered its probe, or
 * answered any forwarded request (with anything but 503) since the last judgement: a backend
 * busy with calls is alive whether or not it answers OPTIONS. A backend is down after
 * {@value #DOWN_AFTER} bad rounds in a row and up again after {@value #UP_AFTER} good ones; each
 * change is reported.
 *
 * <p>Unanswered probes take down only a backend that has answered one: one that never did may
 * simply not answer OPTIONS (SIPp's uas without {@code -aa}), so it is judged by its answers to
 * requests alone, and the edge says so once, at its first bad round, with what to do about it.
 * With probing off no OPTIONS go out and every backend is judged that way. Passive detection
 * takes a backend down between probes: forwarded requests left without any answer for
 * {@value #PASSIVE_TIMEOUT_MS} ms (the edge also takes one down after 3 answers 503 in a row). A
 * backend judged by its answers alone has nothing else to bring it back, so it returns on trial
 * {@value #TRIAL_AFTER_MS} ms after it went down.
 */
final class Prober implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Prober.class);
    static final int DOWN_AFTER = 2;
    static final int UP_AFTER = 3;
    static final String BRANCH = "z9hG4bKd2r2probe-";
    /** Forwarded requests unanswered this long take a backend down, between probes. */
    static final long PASSIVE_TIMEOUT_MS = 1000;
    /** A backend that answers no probes comes back on trial this long after it went down. */
    static final long TRIAL_AFTER_MS = 10_000;

    private final Supplier<List<Backend>> backends;
    private final Duration interval;
    private final Duration timeout;
    private final String advertised;
    private final Sender sender;
    private final Consumer<BackendEvent> changes;
    private final EdgeCounters counters;
    private long seq;
    private List<Backend> probed = List.of();
    private long nextRoundAt;
    private long judgeAt = Long.MAX_VALUE;
    private long lastJudgedAt = Long.MIN_VALUE;
    private volatile boolean probing = true;

    interface Sender {
        void send(byte[] message, Backend to);
    }

    Prober(Supplier<List<Backend>> backends, Duration interval, Duration timeout, String advertised, Sender sender,
           Consumer<BackendEvent> changes, EdgeCounters counters) {
        this.backends = backends;
        this.interval = interval;
        this.timeout = timeout;
        this.advertised = advertised;
        this.sender = sender;
        this.changes = changes;
        this.counters = counters;
    }

    /** Whether OPTIONS probes go out (default: yes); without them backends are judged by their answers to requests. */
    void probing(boolean on) {
        probing = on;
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
            if (probing) {
                for (Backend b : probed) {
                    b.probeSent = round;
                    sender.send(options(b, round), b);
                }
            }
            judgeAt = now + timeout.toMillis();
            nextRoundAt = now + Math.max(interval.toMillis(), timeout.toMillis());
        }
    }

    private void judge(long now) {
        boolean probesSent = probing;
        for (Backend b : probed) {
            long waiting = b.awaitingSince;
            if (waiting != 0 && now - waiting > PASSIVE_TIMEOUT_MS && b.markDown(now)) {
                changes.accept(new BackendEvent(b, "down", "no answer to forwarded requests for "
                        + PASSIVE_TIMEOUT_MS + " ms"));
            }
            boolean probeAnswered = probesSent && b.probeAnswered == seq && b.probeStatus != 503;
            boolean requestsAnswered = b.lastAnswerMs > lastJudgedAt;
            if (probesSent && !probeAnswered) {
                counters.count(EdgeCounter.PROBES_UNANSWERED);
            }
            synchronized (b) {
                if (probeAnswered || requestsAnswered) {
                    good(b, probeAnswered ? UP_AFTER + " good probes" : "answers to requests in " + UP_AFTER + " rounds");
                } else if (probesSent && b.answersProbes) {
                    missed(b, now);
                } else {
                    unprobed(b, probesSent, now);
                }
            }
        }
        lastJudgedAt = now;
    }

    private void good(Backend b, String why) {
        b.missedInRow = 0;
        if (!b.up && ++b.goodInRow >= UP_AFTER) {
            b.up = true;
            b.awaitingSince = 0;
            changes.accept(new BackendEvent(b, "up", why));
        }
    }

    private void missed(Backend b, long now) {
        b.goodInRow = 0;
        if (b.up && ++b.missedInRow >= DOWN_AFTER && b.markDown(now)) {
            changes.accept(new BackendEvent(b, "down", DOWN_AFTER + " probes unanswered within " + timeout.toMillis()
                    + " ms, and no request answered"));
        }
    }

    /** A bad round for a backend that never answered a probe: it is judged by its answers to requests alone. */
    private void unprobed(Backend b, boolean probesSent, long now) {
        b.goodInRow = 0;
        if (probesSent && !b.warnedNoProbeAnswer) {
            b.warnedNoProbeAnswer = true;
            LOG.warn("edge: backend {} answered no OPTIONS probe within {} ms. If it is running, it does not answer"
                    + " OPTIONS (SIPp's uas answers them only with -aa): the edge keeps it in rotation and judges it by its"
                    + " answers to requests alone (down after {} ms without an answer, or 3 answers 503). Make it answer"
                    + " OPTIONS, or set probe: false in the edge's configuration to stop probing.",
                    b.id(), timeout.toMillis(), PASSIVE_TIMEOUT_MS);
        }
        if (!b.up && now - b.downSinceMs >= TRIAL_AFTER_MS) {
            b.up = true;
            b.awaitingSince = 0;
            changes.accept(new BackendEvent(b, "up", "on trial " + TRIAL_AFTER_MS + " ms after it went down: it answers"
                    + " no OPTIONS, so only its answers to requests tell"));
        }
    }

    /** A probe answer (its Via branch names backend and round). */
    static void answered(Backend b, String branch, int status) {
        String round = branch.substring(branch.lastIndexOf('-') + 1);
        if (round.chars().allMatch(Character::isDigit) && !round.isEmpty()) {
            b.probeStatus = status;
            b.probeAnswered = Long.parseLong(round);
            b.answersProbes = true;
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
