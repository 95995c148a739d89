package dev.d2r2.sip;

import dev.d2r2.core.Rendezvous;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** A SIP server behind the edge: its address (its id, {@code host:port}), its capacity weight, its active dialogs. */
public final class Backend {
    private final String id;
    private final InetSocketAddress address;
    private final long hash;
    private volatile double weight;
    volatile boolean draining;
    final AtomicInteger dialogs = new AtomicInteger();
    /** Health, as OPTIONS probing sees it: up after 3 good probes in a row, down after 2 misses. */
    volatile boolean up = true;
    int goodInRow;
    int missedInRow;
    volatile long probeSent;
    volatile long probeAnswered;
    volatile int probeStatus;

    public Backend(InetSocketAddress address, double weight) {
        this.address = address;
        this.id = (address.getAddress() instanceof java.net.Inet6Address ? "[" + address.getHostString() + "]"
                : address.getHostString()) + ":" + address.getPort();
        this.hash = Rendezvous.hash(id);
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
