package dev.d2r2.overlay.sim;

import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.overlay.kad.Message;
import dev.d2r2.overlay.kad.NodeId;

import dev.d2r2.core.ManualClock;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Hundreds of {@link KadNode}s in one thread on virtual time: messages are delivered after a
 * random latency of 5–50 ms and lost with a given probability, nodes leave and join, and the
 * clock jumps from one event (delivery or node timer) to the next, deterministically per seed.
 * The property tests and {@code bench/overlay.sh} run on it.
 */
public final class SimNetwork {
    private record Delivery(long time, long seq, InetSocketAddress to, InetSocketAddress from, Message message) {
    }

    private record Timer(long due, KadNode node) {
    }

    public final ManualClock clock = new ManualClock(1_000_000);
    public final SplittableRandom random;
    private final KadConfig config;
    private final double loss;
    private final Map<InetSocketAddress, KadNode> nodes = new LinkedHashMap<>();
    private final Map<KadNode, InetSocketAddress> addresses = new HashMap<>();
    private final Map<KadNode, Long> dues = new HashMap<>();
    private final PriorityQueue<Delivery> deliveries = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
    private long seq;
    private int nextAddress;
    private long delivered;

    public SimNetwork(KadConfig config, long seed, double loss) {
        this.config = config;
        this.random = new SplittableRandom(seed);
        this.loss = loss;
    }

    /** A new node that joins through three random live nodes (the first one joins no one). */
    public KadNode join() {
        InetSocketAddress address = address(nextAddress++);
        SplittableRandom nodeRandom = random.split();
        KadNode node = new KadNode(config, NodeId.random(nodeRandom), clock, nodeRandom, (to, m) -> send(address, to, m));
        List<InetSocketAddress> live = new ArrayList<>(nodes.keySet());
        nodes.put(address, node);
        addresses.put(node, address);
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < 3 && !live.isEmpty(); i++) {
            seeds.add(live.remove(random.nextInt(live.size())));
        }
        node.join(seeds);
        touched(node);
        return node;
    }

    public void leave(KadNode node) {
        nodes.remove(addresses.remove(node));
        dues.remove(node);
    }

    public List<KadNode> live() {
        return new ArrayList<>(nodes.values());
    }

    public boolean isLive(KadNode node) {
        return addresses.containsKey(node);
    }

    public KadNode random() {
        List<KadNode> live = live();
        return live.get(random.nextInt(live.size()));
    }

    private static InetSocketAddress address(int n) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{10, (byte) (n >> 16), (byte) (n >> 8), (byte) n}), 4000);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(InetSocketAddress from, InetSocketAddress to, Message m) {
        if (random.nextDouble() < loss) {
            return;
        }
        deliveries.add(new Delivery(clock.millis() + 5 + random.nextInt(46), seq++, to, from, m));
    }

    /** Call after driving a node from outside (lookup, put, get): its timer may have moved. */
    public void touched(KadNode node) {
        if (!isLive(node)) {
            return;
        }
        long due = node.nextDueMillis();
        Long old = dues.put(node, due);
        if ((old == null || old != due) && due != Long.MAX_VALUE) {
            timers.add(new Timer(due, node));
        }
    }

    /** Runs events until {@code stop} holds (true) or virtual time passes {@code limit} from now (false). */
    public boolean run(Duration limit, BooleanSupplier stop) {
        long end = clock.millis() + limit.toMillis();
        while (!stop.getAsBoolean()) {
            Timer t = timers.peek();
            while (t != null && !Long.valueOf(t.due).equals(dues.get(t.node))) {
                timers.poll();
                t = timers.peek();
            }
            Delivery d = deliveries.peek();
            long next = Math.min(t == null ? Long.MAX_VALUE : t.due, d == null ? Long.MAX_VALUE : d.time);
            if (next > end) {
                moveTo(end);
                return false;
            }
            moveTo(next);
            if (d != null && d.time == next) {
                deliveries.poll();
                KadNode node = nodes.get(d.to);
                if (node != null) {
                    delivered++;
                    node.onMessage(d.from, d.message);
                    touched(node);
                }
            } else {
                timers.poll();
                dues.remove(t.node);
                t.node.onTimer(next);
                touched(t.node);
            }
        }
        return true;
    }

    public void runFor(Duration d) {
        run(d, () -> false);
    }

    /** Datagrams delivered so far (sent, not lost, to a live node). */
    public long delivered() {
        return delivered;
    }

    private void moveTo(long time) {
        long now = clock.millis();
        if (time > now) {
            clock.advance(Duration.ofMillis(time - now));
        }
    }

    /** The k live nodes closest to {@code target}, other than {@code except}, by brute force. */
    public List<NodeId> trueClosest(NodeId target, int k, KadNode except) {
        List<NodeId> ids = new ArrayList<>();
        for (KadNode n : nodes.values()) {
            if (n != except) {
                ids.add(n.id());
            }
        }
        ids.sort(target::compareDistance);
        return ids.subList(0, Math.min(k, ids.size()));
    }
}
