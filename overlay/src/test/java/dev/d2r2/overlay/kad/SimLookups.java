package dev.d2r2.overlay.kad;

import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** Runs one operation of one simulated node to its end. */
final class SimLookups {
    private SimLookups() {
    }

    static LookupResult lookup(SimNetwork net, KadNode from, NodeId target) {
        AtomicReference<LookupResult> r = new AtomicReference<>();
        from.lookup(target, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    static GetResult get(SimNetwork net, KadNode from, NodeId key) {
        AtomicReference<GetResult> r = new AtomicReference<>();
        from.get(key, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    static PutResult put(SimNetwork net, KadNode from, SignedValue value) {
        AtomicReference<PutResult> r = new AtomicReference<>();
        from.put(value, r::set);
        net.touched(from);
        net.run(Duration.ofMinutes(1), () -> r.get() != null);
        return r.get();
    }

    /** Builds an overlay of {@code n} nodes, each joining through a random earlier one, and lets it settle. */
    static void grow(SimNetwork net, int n) {
        for (int i = 0; i < n; i++) {
            net.join();
            net.runFor(Duration.ofMillis(200));
        }
        net.runFor(Duration.ofSeconds(30));
    }
}
