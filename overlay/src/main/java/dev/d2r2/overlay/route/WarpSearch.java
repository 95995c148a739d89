package dev.d2r2.overlay.route;

import dev.d2r2.overlay.route.RoutePacket.Type;
import dev.d2r2.overlay.route.WarpMessage.Measured;
import dev.d2r2.overlay.wire.MalformedPacket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.random.RandomGenerator;

/** WARP ({@link Warp}) as a route agent's relay search: its messages as route packets, its probes as the agent's. */
final class WarpSearch implements RelaySearch {
    private static final Set<Type> TYPES = EnumSet.of(Type.SEEK, Type.SEEK_ACK, Type.TRACE, Type.EXTEND, Type.ASK, Type.MEASURED);

    private final Warp warp;

    WarpSearch(Host host, WarpConfig config, List<InetSocketAddress> neighbours, RandomGenerator random) {
        this.warp = new Warp(config, host.self(), neighbours, new Warp.Out() {
            @Override
            public void send(InetSocketAddress to, WarpMessage message) {
                RoutePacket.warp(host.begin(RoutePacket.typeOf(message)), message);
                host.send(to);
                host.count("warp.sent." + RoutePacket.typeOf(message).name().toLowerCase(Locale.ROOT));
            }

            @Override
            public void probe(InetSocketAddress destination, long probeId) {
                host.probe(destination, probeId);
                host.count("warp.probes");
            }

            @Override
            public void found(InetSocketAddress relay, String phase, Measured performance) {
                host.count("relayed.from-warp-" + phase);
                host.found(relay, "warp-" + phase);
            }
        }, random);
    }

    @Override
    public void neighbours(List<InetSocketAddress> neighbours) {
        warp.neighbours(neighbours);
    }

    @Override
    public void start(InetSocketAddress destination, long now) {
        warp.search(destination, now);
    }

    @Override
    public void stop() {
        warp.stop();
    }

    @Override
    public boolean handles(Type type) {
        return TYPES.contains(type);
    }

    @Override
    public void onPacket(Type type, InetSocketAddress from, ByteBuffer body, long now) throws MalformedPacket {
        warp.on(from, RoutePacket.readWarp(type, body), now);
    }

    @Override
    public boolean onProbeAck(InetSocketAddress from, long id, long now) {
        return warp.onProbeAck(id, now);
    }

    @Override
    public void onMessage(Object message, long now) {
        throw new IllegalArgumentException("WARP hands nothing to the inbox: " + message);
    }

    @Override
    public long nextDueMillis() {
        return warp.nextDueMillis();
    }

    @Override
    public void onTimer(long now) {
        warp.onTimer(now);
    }
}
