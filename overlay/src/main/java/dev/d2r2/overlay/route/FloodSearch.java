package dev.d2r2.overlay.route;

import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.route.RoutePacket.Type;
import dev.d2r2.overlay.wire.MalformedPacket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Limited flooding as a route agent's relay search (ResumeNet D3.1c §5.3): phase 1 asks the DHT's
 * relay cache ({@link RelayDirectory}) when the agent runs a DHT node, phase 2 floods a
 * reachability check with the ping contingent ({@link Flooding}); the first peer to report the
 * destination reachable (REACH) is the relay, and a peer whose flood probe was answered learns
 * itself into the cache. No REACH within the flood time-out: a new flood.
 */
final class FloodSearch implements RelaySearch {
    /** How long a relay named by the DHT's cache has to answer before the source floods. */
    private static final long CACHE_WAIT_MS = 300;
    /** A received check's contingent is cut to this, whatever the sender asked for. */
    private static final int MAX_CONTINGENT = 1024;

    private record Cached(long floodId, GetResult result, Throwable error) {
    }

    private final Host host;
    private final Flooding flooding;
    private final int contingent;
    private final long floodTimeout;
    private final OverlayNode dht;
    private final RelayDirectory directory;
    private final RandomGenerator random;
    /** Floods this agent probed for, and their destinations: what a relay learns into the DHT. */
    private final Map<Long, InetSocketAddress> probing = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, InetSocketAddress> eldest) {
            return size() > 1024;
        }
    };
    private InetSocketAddress destination;
    private boolean searching;
    private boolean fromCache;
    private long floodId;
    private long deadline = Long.MAX_VALUE;

    /** With a DHT node ({@code dht}, or null): relays learn themselves into it, and a source looks there before it floods. */
    FloodSearch(Host host, List<InetSocketAddress> neighbours, int contingent, Duration floodTimeout, OverlayNode dht,
                byte[] networkKey, RandomGenerator random) {
        this.host = host;
        this.contingent = contingent;
        this.floodTimeout = floodTimeout.toMillis();
        this.dht = dht;
        this.directory = dht == null ? null : new RelayDirectory(networkKey);
        this.random = random;
        this.flooding = new Flooding(neighbours, new Flooding.Out() {
            @Override
            public void check(InetSocketAddress to, long id, InetSocketAddress origin, InetSocketAddress destination, int share) {
                sendCheck(to, id, origin, destination, share);
            }

            @Override
            public void probe(InetSocketAddress destination, long id) {
                probing.put(id, destination);
                host.probe(destination, id);
                host.count("flood.probes");
            }
        });
    }

    @Override
    public void neighbours(List<InetSocketAddress> neighbours) {
        flooding.neighbours(neighbours);
    }

    @Override
    public void start(InetSocketAddress destination, long now) {
        this.destination = destination;
        searching = true;
        if (dht != null) {
            lookUpCachedRelay(now);
        } else {
            flood(now);
        }
    }

    @Override
    public void stop() {
        searching = false;
        deadline = Long.MAX_VALUE;
    }

    @Override
    public boolean handles(Type type) {
        return type == Type.CHECK || type == Type.REACH;
    }

    @Override
    public void onPacket(Type type, InetSocketAddress from, ByteBuffer in, long now) throws MalformedPacket {
        long id = RoutePacket.readLong(in);
        if (type == Type.REACH) {
            onReach(from, id);
            return;
        }
        InetSocketAddress origin = RoutePacket.readAddress(in);
        InetSocketAddress to = RoutePacket.readAddress(in);
        flooding.onCheck(from, id, origin, to, Math.min(RoutePacket.readInt(in), MAX_CONTINGENT));
    }

    /** Phase 1: a relay that reached the destination before, from the DHT; the flood waits {@link #CACHE_WAIT_MS}. */
    private void lookUpCachedRelay(long now) {
        floodId = random.nextLong();
        fromCache = true;
        deadline = now + CACHE_WAIT_MS;
        long id = floodId;
        dht.get(directory.keyFor(destination)).whenComplete((r, e) -> host.later(new Cached(id, r, e)));
    }

    @Override
    public void onMessage(Object message, long now) {
        if (!(message instanceof Cached c) || c.floodId() != floodId || !fromCache || !searching) {
            return;
        }
        InetSocketAddress cached = c.error() == null && c.result().value() != null ? RelayDirectory.relayOf(c.result().value()) : null;
        if (cached == null || cached.equals(host.self())) {
            host.count("cache.misses");
            flood(now);
            return;
        }
        host.count("cache.hits");
        sendCheck(cached, floodId, host.self(), destination, 1);
    }

    private void flood(long now) {
        fromCache = false;
        floodId = random.nextLong();
        deadline = now + floodTimeout;
        host.count("floods");
        flooding.start(floodId, host.self(), destination, contingent);
    }

    @Override
    public boolean onProbeAck(InetSocketAddress from, long id, long now) {
        InetSocketAddress origin = flooding.originOf(id);
        if (origin == null || origin.equals(host.self())) {
            return false;
        }
        host.count("flood.reached");
        InetSocketAddress reached = probing.get(id);
        if (dht != null && reached != null) {
            dht.put(directory.record(reached, host.self(), now));
        }
        host.begin(Type.REACH).putLong(id);
        host.send(origin);
        return true;
    }

    private void onReach(InetSocketAddress from, long id) {
        if (id != floodId || !searching) {
            host.count("reach.late");
            return;
        }
        stop();
        host.count(fromCache ? "relayed.from-cache" : "relayed.from-flood");
        host.found(from, fromCache ? "cache" : "flood");
    }

    private void sendCheck(InetSocketAddress to, long id, InetSocketAddress origin, InetSocketAddress destination, int share) {
        ByteBuffer out = host.begin(Type.CHECK);
        out.putLong(id);
        RoutePacket.address(out, origin);
        RoutePacket.address(out, destination);
        out.putInt(share);
        host.send(to);
    }

    @Override
    public long nextDueMillis() {
        return deadline;
    }

    @Override
    public void onTimer(long now) {
        if (now >= deadline) {
            host.count(fromCache ? "cache.timeouts" : "flood.timeouts");
            flood(now);
        }
    }

    long duplicates() {
        return flooding.duplicates();
    }
}
