package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.ReplayWindow;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A running DN failure detector: its UDP port, its {@link DnFailureDetector} on an
 * {@link AgentRunner}, and a {@link DatagramPump} whose thread checks each datagram (frame, tag,
 * replay window of the DN it came from) and hands the agent a control message or a returned probe.
 * It has no TUN device: its probes are built and read in user space.
 */
public final class DnfdNode implements RunningNode {
    private final PumpedAgent pumped;
    private final FenceApi api;

    private DnfdNode(PumpedAgent pumped, FenceApi api) {
        this.pumped = pumped;
        this.api = api;
    }

    public static DnfdConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, DnfdConfig.class);
    }

    /** Starts a detector from its configuration file (the identity file is found relative to it). */
    public static DnfdNode start(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException, InterruptedException {
        DnfdConfig c = load(file);
        TunnelIdentity me = TunnelNode.identity(file, c.identity());
        DatagramChannel channel = DatagramChannel.open().bind(HostPort.parse(c.listenOrDefault()));
        Counters counters = new Counters();
        try {
            DnFailureDetector agent = new DnFailureDetector(c, me, channel, clock, new SplittableRandom(), events, counters);
            Map<InetSocketAddress, FromDn> dns = new HashMap<>();
            c.watch().forEach(dn -> dns.put(dn.endpoint(), new FromDn(
                    new PacketMac(me.pairKey(TunnelIdentity.parsePublic(dn.publicKey()), c.tunnel(), true, Direction.DN_TO_EN)),
                    new ReplayWindow(c.bfd().timers().replayForgetNanos()))));
            PumpedAgent pumped = PumpedAgent.start("dnfd-" + c.name(), channel, DataPath.BUFFER_BYTES, agent, clock,
                    (from, bytes) -> parse(from, ByteBuffer.wrap(bytes), c.tunnel(), dns.get(from), counters));
            FenceApi api = null;
            if (c.api() != null) {
                try {
                    InetSocketAddress listen = HostPort.parse(c.api());
                    api = new FenceApi(listen, BearerToken.loadOrCreate(TunnelNode.resolve(file, c.apiToken())),
                            !listen.getAddress().isLoopbackAddress(), pumped.runner(), agent::watches);
                } catch (IOException | RuntimeException e) {
                    pumped.close();
                    throw e;
                }
            }
            return new DnfdNode(pumped, api);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** What the pump's thread checks a watched DN's frames with: the key of the DN-FD's identity and that DN's, and its replay window. */
    record FromDn(PacketMac mac, ReplayWindow window) {
    }

    /**
     * What the agent is to make of a datagram: a control message, a returned probe, or nothing (dropped and counted: not from a
     * watched DN, as an unknown tunnel; not sealed by that DN's identity, as unauthenticated; a replay; not a probe, as malformed).
     */
    static Object parse(InetSocketAddress from, ByteBuffer frame, int tunnel, FromDn dn, Counters counters) {
        Drop drop = dn == null ? Drop.UNKNOWN_TUNNEL : GreFrame.open(frame, id -> id == tunnel ? dn.mac() : null);
        if (drop == null && !dn.window().accept(GreFrame.sequence(frame), System.nanoTime())) {
            drop = Drop.REPLAYED;
        }
        Object message = drop == null ? read(from, frame, tunnel) : null;
        if (message == null) {
            counters.drops.count(drop == null ? Drop.MALFORMED : drop);
            return Dropped.INSTANCE;
        }
        counters.received.incrementAndGet();
        return message;
    }

    /** An authenticated frame's control message or returned probe, or null when it is neither. */
    private static Object read(InetSocketAddress from, ByteBuffer frame, int tunnel) {
        int length = GreFrame.payloadLength(frame);
        if (GreFrame.protocol(frame) == GreFrame.PROTO_CONTROL) {
            try {
                return new Received(from, tunnel, Control.read(frame, GreFrame.HEADER_BYTES, length));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        long number = ProbePacket.read(frame, GreFrame.HEADER_BYTES, length, tunnel);
        return number < 0 ? null : new ProbeEcho(from, number);
    }

    /** A datagram that is not for the detector (another sender, a bad tag, a replay, not a probe); the agent ignores it. */
    private enum Dropped { INSTANCE }

    @Override
    public InetSocketAddress address() {
        return pumped.address();
    }

    /** The fence API's address, or null when none is configured. */
    public InetSocketAddress apiAddress() {
        return api == null ? null : api.address();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (api != null) {
            api.close();
        }
        pumped.close();
    }
}
