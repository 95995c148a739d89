package dev.d2r2.overlay.route;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * WARP nodes on one thread in virtual time: every datagram takes {@link #latency} ms, except on
 * the links {@link #slow} names, and none gets through a one-way black hole ({@link #blackHole}).
 * Probes are answered by their destination the same way back.
 */
final class WarpSim {
    record Found(InetSocketAddress relay, String phase, WarpMessage.Measured performance, long at) {
    }

    private record Delivery(long at, long order, Runnable action) {
    }

    private final PriorityQueue<Delivery> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final Map<InetSocketAddress, Warp> nodes = new HashMap<>();
    private final Set<List<InetSocketAddress>> holes = new HashSet<>();
    private final Map<List<InetSocketAddress>, Long> slow = new HashMap<>();
    private final WarpConfig config;
    private final Random random;
    final List<Found> found = new ArrayList<>();
    final Map<String, Integer> sent = new HashMap<>();
    long probes;
    long latency = 1;
    private long now;
    private long order;

    WarpSim(WarpConfig config, long seed) {
        this.config = config;
        this.random = new Random(seed);
    }

    static InetSocketAddress node(String name) {
        return InetSocketAddress.createUnresolved(name, 4200);
    }

    void add(InetSocketAddress self, List<InetSocketAddress> neighbours) {
        nodes.put(self, new Warp(config, self, neighbours, new Warp.Out() {
            @Override
            public void send(InetSocketAddress to, WarpMessage message) {
                sent.merge(message.getClass().getSimpleName(), 1, Integer::sum);
                deliver(self, to, () -> {
                    Warp w = nodes.get(to);
                    if (w != null) {
                        w.on(self, message, now);
                    }
                });
            }

            @Override
            public void probe(InetSocketAddress destination, long probeId) {
                probes++;
                deliver(self, destination, () -> deliver(destination, self, () -> nodes.get(self).onProbeAck(probeId, now)));
            }

            @Override
            public void found(InetSocketAddress relay, String phase, WarpMessage.Measured performance) {
                found.add(new Found(relay, phase, performance, now));
            }
        }, random));
    }

    /** Nothing from {@code from} reaches {@code to}. */
    void blackHole(InetSocketAddress from, InetSocketAddress to) {
        holes.add(List.of(from, to));
    }

    void slow(InetSocketAddress from, InetSocketAddress to, long ms) {
        slow.put(List.of(from, to), ms);
    }

    boolean reaches(InetSocketAddress from, InetSocketAddress to) {
        return !holes.contains(List.of(from, to));
    }

    private void deliver(InetSocketAddress from, InetSocketAddress to, Runnable action) {
        if (reaches(from, to)) {
            queue.add(new Delivery(now + slow.getOrDefault(List.of(from, to), latency), order++, action));
        }
    }

    Warp warp(InetSocketAddress node) {
        return nodes.get(node);
    }

    long now() {
        return now;
    }

    /** Runs deliveries and timers until {@code until} ms of virtual time or a relay was found. */
    void run(long until) {
        while (now < until && found.isEmpty()) {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at();
            for (Warp w : nodes.values()) {
                next = Math.min(next, w.nextDueMillis());
            }
            if (next > until) {
                now = until;
                return;
            }
            now = Math.max(now, next);
            while (!queue.isEmpty() && queue.peek().at() <= now) {
                queue.poll().action().run();
            }
            for (Warp w : List.copyOf(nodes.values())) {
                if (w.nextDueMillis() <= now) {
                    w.onTimer(now);
                }
            }
        }
    }
}
