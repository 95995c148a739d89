package dev.d2r2.tunnel.bfd;

import java.util.random.RandomGenerator;

/**
 * One BFD session in asynchronous mode (RFC 5880 §6.8), with no clock or socket of its own: the
 * owner feeds it received packets and the time, asks it when it next needs the time
 * ({@link #nextDueMillis()}), and sends the packets it returns from {@link #onTimer(long)}.
 *
 * <ul>
 *   <li>States Down → Init → Up by the three-way handshake of §6.8.6; Up → Down when the peer
 *       says Down or AdminDown (diagnostic 3) or when nothing valid arrived for the detection
 *       time (diagnostic 1).</li>
 *   <li>Detection time = the peer's Detect Mult × max(our Required Min RX, the peer's Desired Min
 *       TX), from the last packet received (§6.8.4).</li>
 *   <li>Transmit interval = max(our Desired Min TX, the peer's Required Min RX), less a random
 *       0–25 % (0–10 % more when the multiplier is 1) so that sessions do not lock step (§6.8.7).
 *       Our Desired Min TX is {@code idle} until Up (§6.8.3), then {@code tx}: a decrease that
 *       takes effect at once, announced with a Poll Sequence so the peer's detection time follows;
 *       a packet with Poll is answered at once with Final.</li>
 *   <li>A passive session (§6.1) sends nothing until it has heard its peer.</li>
 * </ul>
 */
public final class BfdSession {
    public static final int DIAG_NONE = 0;
    public static final int DIAG_TIME_EXPIRED = 1;
    public static final int DIAG_NEIGHBOR_DOWN = 3;

    private final BfdTimers timers;
    private final boolean passive;
    private final RandomGenerator random;
    private final int localDiscriminator;

    private BfdState state = BfdState.DOWN;
    private int diag = DIAG_NONE;
    private int remoteDiscriminator;
    private long remoteMinRxMicros = 1;
    private long remoteDesiredTxMicros;
    private int remoteMultiplier;
    private boolean pollActive;
    private boolean finalPending;
    private long nextTxAt;
    private long detectAt = Long.MAX_VALUE;

    public BfdSession(BfdTimers timers, int localDiscriminator, boolean passive, RandomGenerator random, long nowMillis) {
        if (localDiscriminator == 0) {
            throw new IllegalArgumentException("a BFD discriminator is not zero");
        }
        this.timers = timers;
        this.localDiscriminator = localDiscriminator;
        this.passive = passive;
        this.random = random;
        this.nextTxAt = nowMillis;
    }

    /** Applies a received (already validated) packet; returns the state after it. */
    public BfdState onPacket(BfdPacket p, long nowMillis) {
        if (p.yourDiscriminator() != 0 && p.yourDiscriminator() != localDiscriminator) {
            return state;
        }
        if (overtaken(p)) {
            return state;
        }
        remoteDiscriminator = p.myDiscriminator();
        remoteMinRxMicros = p.requiredMinRxMicros();
        remoteDesiredTxMicros = p.desiredMinTxMicros();
        remoteMultiplier = p.detectMult();
        if (p.fin()) {
            pollActive = false;
        }
        if (p.poll()) {
            finalPending = true;
            nextTxAt = nowMillis;
        }
        BfdState before = state;
        if (p.state() == BfdState.ADMIN_DOWN) {
            if (state != BfdState.DOWN) {
                goDown(DIAG_NEIGHBOR_DOWN);
            }
        } else if (state == BfdState.DOWN) {
            if (p.state() == BfdState.DOWN) {
                state = BfdState.INIT;
            } else if (p.state() == BfdState.INIT) {
                state = BfdState.UP;
            }
        } else if (state == BfdState.INIT) {
            if (p.state() == BfdState.INIT || p.state() == BfdState.UP) {
                state = BfdState.UP;
            }
        } else if (state == BfdState.UP && p.state() == BfdState.DOWN) {
            goDown(DIAG_NEIGHBOR_DOWN);
        }
        if (state == BfdState.UP && before != BfdState.UP) {
            diag = DIAG_NONE;
            pollActive = true;
        }
        if (state != before) {
            nextTxAt = nowMillis;
        }
        detectAt = state == BfdState.INIT || state == BfdState.UP ? nowMillis + detectionTimeMillis() : Long.MAX_VALUE;
        return state;
    }

    /**
     * A Down the peer sent before it had heard us (no Your Discriminator, no diagnostic), from the
     * incarnation we are Up with, arriving after the handshake: a packet overtaken on another
     * uplink, which says nothing of the session now. A peer whose detection time expired says so
     * in its diagnostic, and a restarted one has another discriminator; both still take us down.
     */
    private boolean overtaken(BfdPacket p) {
        return state == BfdState.UP && p.state() == BfdState.DOWN && p.yourDiscriminator() == 0
                && p.diag() == DIAG_NONE && p.myDiscriminator() == remoteDiscriminator;
    }

    /** When {@link #onTimer} next has something to do. */
    public long nextDueMillis() {
        long tx = passive && remoteDiscriminator == 0 ? Long.MAX_VALUE : nextTxAt;
        return Math.min(tx, detectAt);
    }

    /**
     * Declares the session down if the detection time has passed, and returns the packet to send
     * now, or null when none is due.
     */
    public BfdPacket onTimer(long nowMillis) {
        if (nowMillis >= detectAt) {
            goDown(DIAG_TIME_EXPIRED);
            remoteDiscriminator = 0;
            detectAt = Long.MAX_VALUE;
        }
        if (nowMillis < nextTxAt || passive && remoteDiscriminator == 0) {
            return null;
        }
        BfdPacket p = new BfdPacket(diag, state, pollActive && !finalPending, finalPending, timers.multiplier(),
                localDiscriminator, remoteDiscriminator, desiredTxMillis() * 1000, timers.rx().toMillis() * 1000);
        finalPending = false;
        nextTxAt = nowMillis + jittered(transmitIntervalMillis());
        return p;
    }

    private void goDown(int why) {
        state = BfdState.DOWN;
        diag = why;
    }

    private long desiredTxMillis() {
        return (state == BfdState.UP ? timers.tx() : timers.idle()).toMillis();
    }

    /** max(our Desired Min TX, the peer's Required Min RX), before jitter. */
    public long transmitIntervalMillis() {
        return Math.max(desiredTxMillis(), remoteMinRxMicros / 1000);
    }

    /** The peer's Detect Mult × max(our Required Min RX, the peer's Desired Min TX); 0 before any packet. */
    public long detectionTimeMillis() {
        return remoteMultiplier * Math.max(timers.rx().toMillis(), remoteDesiredTxMicros / 1000);
    }

    private long jittered(long interval) {
        double most = timers.multiplier() == 1 ? 0.90 : 1.0;
        long v = (long) Math.floor(interval * (0.75 + random.nextDouble() * (most - 0.75)));
        return Math.max(1, v);
    }

    public BfdState state() {
        return state;
    }

    public int diag() {
        return diag;
    }

    public int localDiscriminator() {
        return localDiscriminator;
    }
}
