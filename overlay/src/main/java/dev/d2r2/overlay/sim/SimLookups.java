package dev.d2r2.overlay.sim;

import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;

import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Runs one operation of one simulated node to its end. */
public final class SimLookups {
    private SimLookups() {
    }

    public static LookupResult lookup(SimNetwork net, KadNode from, NodeId target) {
        AtomicReference<LookupResult> r = new AtomicReference<>();
        from.lookup(target, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    public static GetResult get(SimNetwork net, KadNode from, NodeId key) {
        AtomicReference<GetResult> r = new AtomicReference<>();
        from.get(key, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    public static PutResult put(SimNetwork net, KadNode from, SignedValue value) {
        AtomicReference<PutResult> r = new AtomicReference<>();
        from.put(value, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    /** Builds an overlay of {@code n} nodes, each joining through a random earlier one, and lets it settle. */
    public static void grow(SimNetwork net, int n) {
        for (int i = 0; i < n; i++) {
            net.join();
            net.runFor(Duration.ofMillis(200));
        }
        net.runFor(Duration.ofSeconds(30));
    }
}
