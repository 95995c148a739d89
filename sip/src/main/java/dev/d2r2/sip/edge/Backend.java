package dev.d2r2.sip.edge;

import dev.d2r2.core.Rendezvous;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** A SIP server behind the edge: its address (its id, {@code host:port}), its capacity weight, its active dialogs. */
public final class Backend {
    private final String id;
    private final InetSocketAddress address;
    private final long hash;
    /** The id in ASCII, as the edge writes it into its Record-Route. */
    final byte[] idBytes;
    private volatile double weight;
    volatile boolean draining;
    final AtomicInteger dialogs = new AtomicInteger();
    final LongAdder dialogsStarted = new LongAdder();
    /**
     * Requests forwarded to it (ACKs aside, retransmissions included), and its final answers to
     * them, those of 500 and above apart: what an outlier detector on success rates reads.
     */
    final LongAdder requests = new LongAdder();
    final LongAdder finalAnswers = new LongAdder();
    final LongAdder errorAnswers = new LongAdder();
    /** Health, as OPTIONS probing and its answers to requests show it (see {@link Prober}). */
    volatile boolean up = true;
    int goodInRow;
    int missedInRow;
    /** Since when it is down, in the edge clock's milliseconds. */
    volatile long downSinceMs;
    /** Whether it ever answered a probe: only then do unanswered probes take it down. */
    volatile boolean answersProbes;
    /** When it last answered a forwarded request with anything but 503 ({@link Long#MIN_VALUE}: never). */
    volatile long lastAnswerMs = Long.MIN_VALUE;
    /** Whether the edge warned that it answers no probe (the prober's thread only). */
    boolean warnedNoProbeAnswer;
    /** Dialogs it takes at most (0: no limit): beyond, new dialogs go elsewhere or get 503. */
    private final int maxDialogs;
    /** RFC 7339 overload control: the share of new requests to shed, until when. */
    volatile int ocPercent;
    volatile long ocUntil;
    /** Passive detection: 503 answers in a row, and since when a request waits for any answer (0: none waits). */
    int consecutive503;
    volatile long awaitingSince;
    volatile long probeSent;
    volatile long probeAnswered;
    volatile int probeStatus;

    public Backend(InetSocketAddress address, double weight) {
        this(address, weight, 0);
    }

    public Backend(InetSocketAddress address, double weight, int maxDialogs) {
        if (maxDialogs < 0) {
            throw new IllegalArgumentException("a backend's dialog limit cannot be negative: " + maxDialogs);
        }
        this.maxDialogs = maxDialogs;
        this.address = address;
        this.id = (address.getAddress() instanceof java.net.Inet6Address ? "[" + address.getHostString() + "]"
                : address.getHostString()) + ":" + address.getPort();
        this.hash = Rendezvous.hash(id);
        this.idBytes = id.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        weight(weight);
    }

    public String id() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    public double weight() {
        return weight;
    }

    void weight(double w) {
        if (!(w > 0)) {
            throw new IllegalArgumentException("a backend's weight must be positive: " + w);
        }
        this.weight = w;
    }

    /** Draining: no new dialogs; the ones it has go on until they end. */
    public boolean draining() {
        return draining;
    }

    public boolean up() {
        return up;
    }

    public int maxDialogs() {
        return maxDialogs;
    }

    boolean saturated() {
        return maxDialogs > 0 && dialogs.get() >= maxDialogs;
    }

    /** Takes it out of rotation at {@code nowMs}; false when it already was. */
    synchronized boolean markDown(long nowMs) {
        if (!up) {
            return false;
        }
        up = false;
        downSinceMs = nowMs;
        goodInRow = 0;
        missedInRow = 0;
        awaitingSince = 0;
        return true;
    }

    public long requests() {
        return requests.sum();
    }

    public long finalAnswers() {
        return finalAnswers.sum();
    }

    /** Final answers of 500 and above. */
    public long errorAnswers() {
        return errorAnswers.sum();
    }

    public int activeDialogs() {
        return dialogs.get();
    }

    double score(long keyHash) {
        return Rendezvous.score(keyHash, hash, weight);
    }

    @Override
    public String toString() {
        return id;
    }
}
