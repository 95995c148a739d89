package dev.d2r2.overlay.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.DatagramPump;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.overlay.kad.KadStats;
import dev.d2r2.overlay.kad.Message;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.PacketAuth;
import dev.d2r2.overlay.wire.PacketCodec;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A DHT node on a real UDP socket, as a single-threaded agent: a {@link DatagramPump} only copies
 * datagrams into the agent's inbox; the agent authenticates and parses them ({@link PacketCodec}),
 * drives its {@link KadNode}, sends its answers and runs the node's timers. Operations from
 * other threads (lookup, put, get, status) are inbox messages answered through futures.
 */
public final class OverlayNode implements Agent, AutoCloseable {
    /**
     * @param listen       the UDP address to bind (port 0: any free port)
     * @param seeds        nodes to join through (none: the first node of an overlay)
     * @param networkKey   the overlay's 32-byte packet authentication key
     * @param replayWindow how far a packet's time may be from ours before it is refused
     */
    public record Settings(InetSocketAddress listen, List<InetSocketAddress> seeds, byte[] networkKey, KadConfig kad,
                           Duration replayWindow) {
    }

    private record Datagram(InetSocketAddress from, byte[] bytes) {
    }

    private sealed interface Command {
    }

    private record Lookup(NodeId target, CompletableFuture<LookupResult> result) implements Command {
    }

    private record Get(NodeId key, CompletableFuture<GetResult> result) implements Command {
    }

    private record Put(SignedValue value, CompletableFuture<PutResult> result) implements Command {
    }

    private record Status(CompletableFuture<OverlayStatus> result) implements Command {
    }

    private record Probe(Contact to, CompletableFuture<byte[]> result) implements Command {
    }

    private record Announce(byte[] card) implements Command {
    }

    private static final int INBOX = 4096;

    private final Settings settings;
    private final Clock clock;
    private final DatagramChannel channel;
    private final InetSocketAddress address;
    private final KadNode kad;
    private final PacketCodec codec;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(PacketCodec.MAX_PACKET);
    private final Map<MalformedPacket.Reason, Long> dropped = new EnumMap<>(MalformedPacket.Reason.class);
    private long sendFailures;
    private final AgentRunner runner;
    private volatile DatagramPump pump;

    private OverlayNode(Settings settings, NodeId id, Clock clock) throws IOException {
        this.settings = settings;
        this.clock = clock;
        this.channel = DatagramChannel.open(settings.listen().getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        channel.bind(settings.listen());
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.codec = new PacketCodec(new PacketAuth(settings.networkKey(), settings.replayWindow().toMillis()));
        this.kad = new KadNode(settings.kad(), id, clock, new SecureRandom(), this::send);
        this.runner = new AgentRunner(this, INBOX, clock);
    }

    /** Binds the socket, starts the agent and joins through the seeds. */
    public static OverlayNode start(Settings settings, NodeId id, Clock clock) throws IOException {
        return start(settings, id, null, new byte[0], clock);
    }

    /**
     * As {@link #start(Settings, NodeId, Clock)}, but a contact enters the routing table only once {@code admission}
     * accepted the card it announces ({@link KadNode#admitOnly}; null admits every contact), and with {@code card} in
     * this node's PONGs from the first one on: a card announced after the start would race the join, and a peer that
     * judged the empty PONG would refuse this node.
     */
    public static OverlayNode start(Settings settings, NodeId id, KadNode.Admission admission, byte[] card, Clock clock)
            throws IOException {
        checkCard(card);
        OverlayNode node = new OverlayNode(settings, id, clock);
        node.kad.announce(card);
        if (admission != null) {
            node.kad.admitOnly(admission);
        }
        node.runner.start();
        node.pump = DatagramPump.start(node.roleName(), node.channel, PacketCodec.MAX_PACKET, node.runner, Datagram::new);
        return node;
    }

    public static OverlayNode start(Settings settings, Clock clock) throws IOException {
        return start(settings, NodeId.random(new SecureRandom()), clock);
    }

    @Override
    public String roleName() {
        return "overlay-" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public NodeId id() {
        return kad.id();
    }

    @Override
    public void onStart() {
        kad.join(settings.seeds());
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Datagram d -> {
                try {
                    kad.onMessage(d.from(), codec.decode(ByteBuffer.wrap(d.bytes()), clock.millis()));
                } catch (MalformedPacket e) {
                    dropped.merge(e.reason(), 1L, Long::sum);
                }
            }
            case Lookup l -> kad.lookup(l.target(), l.result()::complete);
            case Get g -> valuesOnly(g.result(), () -> kad.get(g.key(), g.result()::complete));
            case Put p -> valuesOnly(p.result(), () -> kad.put(p.value(), p.result()::complete));
            case Status s -> s.result().complete(snapshot());
            case Probe p -> kad.probe(p.to(), card -> {
                if (card == null) {
                    p.result().completeExceptionally(new TimeoutException(p.to() + " did not answer PING as " + p.to().id()));
                } else {
                    p.result().complete(card);
                }
            });
            case Announce a -> kad.announce(a.card());
            default -> throw new IllegalArgumentException("not an overlay node message: " + message);
        }
    }

    /** A put or get on a node that carries no values fails its caller's future rather than leave it waiting. */
    private static void valuesOnly(CompletableFuture<?> result, Runnable operation) {
        try {
            operation.run();
        } catch (IllegalStateException e) {
            result.completeExceptionally(e);
        }
    }

    private void send(InetSocketAddress to, Message m) {
        codec.encode(m, clock.millis(), sendBuffer);
        try {
            channel.send(sendBuffer, to);
        } catch (IOException e) {
            sendFailures++;
        }
    }

    @Override
    public long nextDueMillis() {
        return kad.nextDueMillis();
    }

    @Override
    public void onTimer(long nowMillis) {
        kad.onTimer(nowMillis);
    }

    private OverlayStatus snapshot() {
        KadStats s = kad.stats();
        return new OverlayStatus(kad.id(), address, kad.table().size(), kad.store().size(), s.received(), s.sent(), s.timeouts(),
                s.unexpected(), s.lookups(), s.storesRejected(), s.forgedValues(), Map.copyOf(dropped), pump.inboxFull(), sendFailures,
                s.valueRequestsRefused());
    }

    public CompletableFuture<LookupResult> lookup(NodeId target) {
        return ask(new Lookup(target, new CompletableFuture<>()), Lookup::result);
    }

    public CompletableFuture<GetResult> get(NodeId key) {
        return ask(new Get(key, new CompletableFuture<>()), Get::result);
    }

    /** Stores an own value on the k closest nodes; this node republishes it while it runs. */
    public CompletableFuture<PutResult> put(SignedValue value) {
        return ask(new Put(value, new CompletableFuture<>()), Put::result);
    }

    /**
     * PINGs {@code to}: completes with the card of its PONG (empty if it announces none), or fails with
     * a {@link TimeoutException} when it does not answer under its id.
     */
    public CompletableFuture<byte[]> probe(Contact to) {
        return ask(new Probe(to, new CompletableFuture<>()), Probe::result);
    }

    /** Puts {@code card} in this node's PONGs, for the overlay built on top (at most {@link PacketCodec#MAX_CARD} bytes). */
    public void announce(byte[] card) {
        checkCard(card);
        runner.deliver(new Announce(card.clone()));
    }

    private static void checkCard(byte[] card) {
        if (card.length > PacketCodec.MAX_CARD) {
            throw new IllegalArgumentException("a card has at most " + PacketCodec.MAX_CARD + " bytes, not " + card.length);
        }
    }

    public CompletableFuture<OverlayStatus> status() {
        return ask(new Status(new CompletableFuture<>()), Status::result);
    }

    private <C extends Command, R> CompletableFuture<R> ask(C command, Function<C, CompletableFuture<R>> result) {
        runner.deliver(command);
        return result.apply(command);
    }

    @Override
    public void onClose() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
        if (pump != null) {
            pump.close();
        }
    }
}
