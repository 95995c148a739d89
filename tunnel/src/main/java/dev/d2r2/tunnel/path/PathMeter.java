package dev.d2r2.tunnel.path;

import java.util.Arrays;

/**
 * One path's measurements from sequence-numbered probes over a sliding window of the last
 * {@code window} probes: round-trip delay (mean of the echoed probes), jitter (RFC 3550 §6.4.1:
 * J += (|D| − J) / 16, D the difference between two successive probes' delays) and loss (the
 * share of settled probes never echoed; a probe is settled once echoed or older than
 * {@code lossAfterNanos}). The path is up while an echo has arrived within {@code downAfterNanos}.
 * Times are the caller's monotonic nanoseconds, so tests drive it in virtual time; nothing here
 * allocates after construction.
 */
public final class PathMeter {
    private static final long PENDING = -1;

    private final int window;
    private final long lossAfterNanos;
    private final long downAfterNanos;
    private final int[] seqs;
    private final long[] sentAt;
    private final long[] rtts;
    private int nextSeq;
    private long lastEchoAt = Long.MIN_VALUE;
    private long lastRtt = -1;
    private double jitterNanos;
    private long echoes;

    public PathMeter(int window, long lossAfterNanos, long downAfterNanos) {
        if (window < 1 || lossAfterNanos <= 0 || downAfterNanos <= 0) {
            throw new IllegalArgumentException("a window of at least one probe and positive timeouts");
        }
        this.window = window;
        this.lossAfterNanos = lossAfterNanos;
        this.downAfterNanos = downAfterNanos;
        this.seqs = new int[window];
        this.sentAt = new long[window];
        this.rtts = new long[window];
        Arrays.fill(seqs, -1);
    }

    /** Records a probe sent now and returns its sequence number. */
    public int sent(long nowNanos) {
        int seq = nextSeq++ & Integer.MAX_VALUE;
        int slot = seq % window;
        seqs[slot] = seq;
        sentAt[slot] = nowNanos;
        rtts[slot] = PENDING;
        return seq;
    }

    /**
     * Records the echo of probe {@code seq} arriving now. An echo of a probe that has left the
     * window, a duplicate, or one that would be older than its probe is ignored (returns false).
     */
    public boolean echoed(int seq, long nowNanos) {
        if (seq < 0) {
            return false;
        }
        int slot = seq % window;
        if (seqs[slot] != seq || rtts[slot] != PENDING || nowNanos < sentAt[slot]) {
            return false;
        }
        long rtt = nowNanos - sentAt[slot];
        rtts[slot] = rtt;
        if (lastRtt >= 0) {
            jitterNanos += (Math.abs(rtt - lastRtt) - jitterNanos) / 16.0;
        }
        lastRtt = rtt;
        lastEchoAt = Math.max(lastEchoAt, nowNanos);
        echoes++;
        return true;
    }

    /** Whether an echo arrived within the last {@code downAfter}. */
    public boolean up(long nowNanos) {
        return lastEchoAt != Long.MIN_VALUE && nowNanos - lastEchoAt <= downAfterNanos;
    }

    /** Mean round-trip time of the echoed probes in the window, in nanoseconds; -1 with none. */
    public long rttNanos() {
        long sum = 0;
        int n = 0;
        for (int i = 0; i < window; i++) {
            if (seqs[i] >= 0 && rtts[i] >= 0) {
                sum += rtts[i];
                n++;
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    public long jitterNanos() {
        return Math.round(jitterNanos);
    }

    /** The share of the window's settled probes that were never echoed, in [0, 1]; 0 with none settled. */
    public double loss(long nowNanos) {
        int settled = 0;
        int lost = 0;
        for (int i = 0; i < window; i++) {
            if (seqs[i] < 0) {
                continue;
            }
            if (rtts[i] >= 0) {
                settled++;
            } else if (nowNanos - sentAt[i] > lossAfterNanos) {
                settled++;
                lost++;
            }
        }
        return settled == 0 ? 0 : (double) lost / settled;
    }

    public long echoes() {
        return echoes;
    }
}
