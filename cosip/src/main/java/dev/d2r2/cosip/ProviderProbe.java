package dev.d2r2.cosip;

/**
 * Whether the SIP provider answers: an OPTIONS probe every {@code interval}, each answered before
 * the next or counted as missed. {@code downAfter} misses in a row make the provider down;
 * {@code upAfter} answers in a row make it up again (so that a server that answers once while
 * restarting does not pull calls back too early). Pure state, driven by the proxy's clock.
 */
final class ProviderProbe {
    enum Change { NONE, DOWN, UP }

    private final long intervalMillis;
    private final int downAfter;
    private final int upAfter;
    private boolean up = true;
    private long seq;
    private boolean answered = true;
    private int misses;
    private int answers;
    private long nextDue;

    ProviderProbe(long intervalMillis, int downAfter, int upAfter, long now) {
        if (intervalMillis <= 0 || downAfter < 1 || upAfter < 1) {
            throw new IllegalArgumentException("probe interval > 0, down after ≥ 1 miss, up after ≥ 1 answer");
        }
        this.intervalMillis = intervalMillis;
        this.downAfter = downAfter;
        this.upAfter = upAfter;
        this.nextDue = now;
    }

    long nextDue() {
        return nextDue;
    }

    /** Time for the next probe: counts the last one missed if it was not answered; {@link #seq()} is the new probe's. */
    Change onTimer(long now) {
        Change change = Change.NONE;
        if (!answered) {
            answers = 0;
            if (++misses == downAfter && up) {
                up = false;
                change = Change.DOWN;
            }
        }
        seq++;
        answered = false;
        nextDue = now + intervalMillis;
        return change;
    }

    /** An answer to probe {@code answeredSeq}; answers to earlier probes come too late to count. */
    Change onAnswer(long answeredSeq) {
        if (answeredSeq != seq || answered) {
            return Change.NONE;
        }
        answered = true;
        misses = 0;
        if (++answers >= upAfter && !up) {
            up = true;
            return Change.UP;
        }
        return Change.NONE;
    }

    long seq() {
        return seq;
    }

    boolean up() {
        return up;
    }

    int misses() {
        return misses;
    }
}
