package dev.d2r2.p2psip.tunnel;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A relay's counters, written by its agent thread and its link readers, readable from any thread. */
public final class RelayCounters {
    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);
    private final AtomicLong cellsIn = new AtomicLong();
    private final AtomicLong cellsOut = new AtomicLong();
    private final AtomicLong tunnelsRelayed = new AtomicLong();

    RelayCounters() {
        for (Refusal r : Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    void refuse(Refusal reason) {
        refused.get(reason).incrementAndGet();
    }

    void cellIn() {
        cellsIn.incrementAndGet();
    }

    void cellOut() {
        cellsOut.incrementAndGet();
    }

    void tunnelRelayed() {
        tunnelsRelayed.incrementAndGet();
    }

    public long refused(Refusal reason) {
        return refused.get(reason).get();
    }

    public long refusedTotal() {
        return refused.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long cellsIn() {
        return cellsIn.get();
    }

    public long cellsOut() {
        return cellsOut.get();
    }

    /** Tunnels this relay accepted as a hop since it started. */
    public long tunnelsRelayed() {
        return tunnelsRelayed.get();
    }
}
