package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.tunnel.events.DnMapReported;
import dev.d2r2.tunnel.events.TunnelEvents;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A running edge service router: its UDP port, a {@link DatagramPump} whose thread checks each
 * datagram (frame, a {@link Control.Carriers} report, its tag under the key of the ESR's identity and
 * the identity of the DN the report names) and hands the
 * verdict to the {@link EsrRole} on its {@link AgentRunner} (a {@link PumpedAgent}), which owns the kernel routes.
 */
public final class EsrNode implements RunningNode {
    private final PumpedAgent agent;

    private EsrNode(PumpedAgent agent) {
        this.agent = agent;
    }

    public static EsrConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, EsrConfig.class);
    }

    /** Starts an ESR from its configuration file (the identity file is found relative to it), routing in this namespace's main table. */
    public static EsrNode start(Path file, Clock clock, Consumer<Event> events) throws IOException, ConfigException, InterruptedException {
        EsrConfig c = load(file);
        TunnelIdentity me = TunnelNode.identity(file, c.identity());
        Map<String, PacketMac> macs = new HashMap<>();
        c.dns().forEach(dn -> macs.put(dn.name(),
                new PacketMac(me.pairKey(TunnelIdentity.parsePublic(dn.publicKey()), c.tunnel(), false, Direction.EN_TO_DN))));
        KernelRoutes routes = KernelRoutes.flushed();
        DatagramChannel channel = DatagramChannel.open().bind(HostPort.parse(c.listenOrDefault()));
        try {
            return new EsrNode(PumpedAgent.start("esr-" + c.name(), channel, 2048, new EsrRole(c, routes, clock, events), clock,
                    (from, bytes) -> parse(ByteBuffer.wrap(bytes), c.tunnel(), macs::get)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A DN's report, or why the datagram is dropped. The report is read first for the DN it names, whose key
     * ({@code macByDn}) must verify it: a report sealed by another identity than the named DN's is
     * {@link Drop#UNAUTHENTICATED}. A report naming no configured DN ({@code macByDn} gives null) goes to the role
     * unverified, which counts it as from an unknown DN and takes nothing from it.
     */
    static Object parse(ByteBuffer frame, int tunnel, Function<String, PacketMac> macByDn) {
        Drop drop = GreFrame.header(frame);
        if (drop != null || GreFrame.protocol(frame) != GreFrame.PROTO_CONTROL) {
            return Drop.MALFORMED;
        }
        if (GreFrame.tunnelId(frame) != tunnel) {
            return Drop.UNKNOWN_TUNNEL;
        }
        Control.Carriers c;
        try {
            if (!(Control.read(frame, GreFrame.HEADER_BYTES, GreFrame.payloadLength(frame)) instanceof Control.Carriers carriers)) {
                return Drop.MALFORMED;
            }
            c = carriers;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Drop.MALFORMED;
        }
        PacketMac mac = macByDn.apply(c.dn());
        if (mac == null) {
            return new EsrRole.Report(GreFrame.sequence(frame), c);
        }
        drop = GreFrame.verify(frame, mac);
        return drop != null ? drop : new EsrRole.Report(GreFrame.sequence(frame), c);
    }

    /**
     * Hands the ESR one event of its map channel and the broker identity that published it; events of other types are
     * ignored, a {@code tunnel.dn.map} event that does not read is counted as malformed. Safe from any thread.
     */
    public void map(String publisher, Event event) {
        Object message = mapMessage(publisher, event);
        if (message != null) {
            agent.runner().deliver(message);
        }
    }

    /** Counts an event of the map channel that does not decode as a malformed map event. */
    public void mapUnreadable(String why) {
        agent.runner().deliver(new EsrRole.MapMalformed(why));
    }

    /** What the role makes of a map channel's event: a report, a malformed one, or null for another type. */
    static Object mapMessage(String publisher, Event event) {
        if (!TunnelEvents.DN_MAP.matches(event.type())) {
            return null;
        }
        try {
            return new EsrRole.MapReport(publisher, DnMapReported.from(event));
        } catch (EventFormatException e) {
            return new EsrRole.MapMalformed(e.getMessage());
        }
    }

    @Override
    public InetSocketAddress address() {
        return agent.address();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        agent.close();
    }
}
