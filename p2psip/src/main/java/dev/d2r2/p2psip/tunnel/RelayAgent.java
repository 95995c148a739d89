package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The relay's single-threaded duty. {@code links} holds only the links this relay opened: a link a
 * neighbour opened carries that neighbour's tunnels, but its HELLO is not proof of the key it names,
 * so it is never taken for the link to that key.
 *
 * <p>Tunnel state sits in three maps keyed by (link, id): bindings
 * by the id the predecessor chose ({@code upstream}: SETUP and FORWARD cells), bindings and own
 * tunnels by the id this relay chose ({@code downstream}: BACKWARD cells), and last-hop bindings
 * by their published entry id ({@code entries}: ENTER cells). No id is shared between two links.
 */
final class RelayAgent implements Agent {
    record Accepted(Socket socket) {
    }

    record Arrived(Link link, byte[] frame) {
    }

    record LinkClosed(Link link) {
    }

    record Build(List<Hop> path, Consumer<byte[]> onData, CompletableFuture<Tunnel> result) {
    }

    record Send(Tunnel tunnel, Payload payload) {
    }

    record Reply(Binding binding, Payload payload) {
    }

    record Enter(Hop entry, int entryId, Payload payload) {
    }

    record Destroy(Tunnel tunnel) {
    }

    record Views(CompletableFuture<List<HopView>> result) {
    }

    private record LinkId(Link link, int id) {
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final String name;
    private final KeyPair identity;
    private final Hop self;
    private final LinkSecurity.Sockets sockets;
    private final byte[] selfPublic;
    private final Clock clock;
    private final TunnelEnd end;
    private final long setupTimeoutMillis;
    private final ReplayWindow replays;
    private final RelayCounters counters = new RelayCounters();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Link> links = new HashMap<>();
    private final Set<Link> allLinks = new HashSet<>();
    private final Map<LinkId, Binding> upstream = new HashMap<>();
    private final Map<LinkId, Object> downstream = new HashMap<>();
    private final Map<Integer, Binding> entries = new HashMap<>();
    private final Map<Tunnel, Long> awaitingAck = new HashMap<>();
    private AgentRunner runner;

    RelayAgent(String name, KeyPair identity, Hop self, LinkSecurity.Sockets sockets, Clock clock, TunnelEnd end, long setupWindowMillis,
               long setupTimeoutMillis) {
        this.name = name;
        this.identity = identity;
        this.self = self;
        this.sockets = sockets;
        this.selfPublic = self.publicKey();
        this.clock = clock;
        this.end = end;
        this.setupTimeoutMillis = setupTimeoutMillis;
        this.replays = new ReplayWindow(setupWindowMillis);
    }

    void attach(AgentRunner runner) {
        this.runner = runner;
    }

    Hop self() {
        return self;
    }

    RelayCounters counters() {
        return counters;
    }

    @Override
    public String roleName() {
        return "p2psip-relay-" + name;
    }

    @Override
    public void onMessage(Object message) throws Exception {
        switch (message) {
            case Arrived a -> onCell(a.link(), a.frame());
            case Accepted a -> open(Link.accepted(a.socket()));
            case LinkClosed c -> onLinkClosed(c.link());
            case Build b -> build(b);
            case Send s -> sendForward(s.tunnel(), s.payload());
            case Reply r -> sendBackwardFromEnd(r.binding(), r.payload());
            case Enter e -> enter(e);
            case Destroy d -> destroy(d.tunnel());
            case Views v -> v.result().complete(upstream.values().stream().map(Binding::view).toList());
            default -> throw new IllegalArgumentException("unexpected message " + message);
        }
    }

    @Override
    public long nextDueMillis() {
        return awaitingAck.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long nowMillis) {
        List<Tunnel> late = awaitingAck.entrySet().stream().filter(e -> e.getValue() <= nowMillis).map(Map.Entry::getKey).toList();
        for (Tunnel t : late) {
            awaitingAck.remove(t);
            downstream.remove(new LinkId(t.link, t.linkId));
            t.tornDown("no acknowledgement from the last hop within " + setupTimeoutMillis + " ms");
            send(t.link, new Cell(CellType.DESTROY, t.linkId, new byte[Cell.BODY_BYTES]));
        }
    }

    @Override
    public void onClose() {
        allLinks.forEach(Link::close);
        for (Object o : downstream.values()) {
            if (o instanceof Tunnel t) {
                t.tornDown("relay closed");
            }
        }
    }

    private void onCell(Link link, byte[] frame) {
        counters.cellIn();
        try {
            Cell cell = Cell.decode(frame);
            if (link.peer() == null && cell.type() != CellType.HELLO) {
                throw new MalformedCell(Refusal.NO_HELLO, cell.type() + " before HELLO");
            }
            switch (cell.type()) {
                case HELLO -> hello(link, cell);
                case SETUP -> setup(link, cell);
                case FORWARD -> forward(link, cell);
                case BACKWARD -> backward(link, cell);
                case ENTER -> entered(cell);
                case DESTROY -> destroyed(link, cell.linkId());
            }
        } catch (MalformedCell e) {
            refuse(e.reason(), link + ": " + e.getMessage());
        }
    }

    private void refuse(Refusal reason, String why) {
        counters.refuse(reason);
        runner.errors().warn("refused-" + reason, roleName() + ": refused " + reason + ": " + why);
    }

    private void hello(Link link, Cell cell) throws MalformedCell {
        if (link.peer() != null) {
            throw new MalformedCell(Refusal.MALFORMED, "second HELLO on a link");
        }
        link.identify(HopCodec.get(ByteBuffer.wrap(cell.body())));
    }

    private void setup(Link link, Cell cell) throws MalformedCell {
        LinkId in = new LinkId(link, cell.linkId());
        if (upstream.containsKey(in)) {
            throw new MalformedCell(Refusal.ID_IN_USE, "setup for id " + Integer.toUnsignedString(cell.linkId()) + " already in use");
        }
        SetupOnion.Opened opened = SetupOnion.open(cell.body(), identity.getPrivate(), selfPublic, random);
        switch (replays.admit(opened.oneTimePublic(), opened.originMillis(), clock.millis())) {
            case STALE -> throw new MalformedCell(Refusal.SETUP_STALE,
                    "setup record " + (clock.millis() - opened.originMillis()) + " ms off this relay's clock");
            case REPLAYED -> throw new MalformedCell(Refusal.SETUP_REPLAY, "setup record replayed");
            case FRESH -> { }
        }
        Binding b = new Binding(link, cell.linkId(), opened.keys(), opened.next());
        if (b.last()) {
            b.entryId = freshEntryId();
            entries.put(b.entryId, b);
            upstream.put(in, b);
            counters.tunnelRelayed();
            sendBackwardFromEnd(b, new Payload(Payload.Kind.SETUP_ACK, ByteBuffer.allocate(Integer.BYTES).putInt(b.entryId).array()));
            return;
        }
        Link next = linkTo(opened.next());
        b.successor = next;
        b.outId = freshLinkId(next);
        upstream.put(in, b);
        downstream.put(new LinkId(next, b.outId), b);
        counters.tunnelRelayed();
        send(next, new Cell(CellType.SETUP, b.outId, opened.passOn()));
    }

    private void forward(Link link, Cell cell) throws MalformedCell {
        Binding b = upstream.get(new LinkId(link, cell.linkId()));
        if (b == null) {
            throw new MalformedCell(Refusal.UNKNOWN_TUNNEL, "FORWARD for id " + Integer.toUnsignedString(cell.linkId()));
        }
        byte[] body = cell.body();
        try {
            DataCell.peel(b.keys, b.forwardSequence, body, random);
        } catch (MalformedCell e) {
            refuse(e.reason(), link + ": " + e.getMessage());
            tearDown(b, null);
            return;
        }
        b.forwardSequence++;
        if (b.last()) {
            Payload p = DataCell.plain(body);
            switch (p.kind()) {
                case DATA -> end.onData(p.data(), data -> runner.deliver(new Reply(b, new Payload(Payload.Kind.DATA, data.clone()))));
                case PING -> sendBackwardFromEnd(b, new Payload(Payload.Kind.PONG, new byte[0]));
                case SETUP_ACK, PONG -> throw new MalformedCell(Refusal.MALFORMED, "FORWARD carrying " + p.kind());
            }
        } else {
            send(b.successor, new Cell(CellType.FORWARD, b.outId, body));
        }
    }

    private void backward(Link link, Cell cell) throws MalformedCell {
        LinkId id = new LinkId(link, cell.linkId());
        switch (downstream.get(id)) {
            case Tunnel t -> {
                Payload p;
                try {
                    p = DataCell.openBackward(t.keys(), t.backwardSequence, cell.body());
                } catch (MalformedCell e) {
                    refuse(e.reason(), link + ": " + e.getMessage());
                    downstream.remove(id);
                    awaitingAck.remove(t);
                    t.tornDown("a backward layer did not verify");
                    send(link, new Cell(CellType.DESTROY, cell.linkId(), new byte[Cell.BODY_BYTES]));
                    return;
                }
                t.backwardSequence++;
                switch (p.kind()) {
                    case SETUP_ACK -> {
                        awaitingAck.remove(t);
                        t.acknowledged(ByteBuffer.wrap(p.data()).getInt());
                    }
                    case PONG -> t.ponged();
                    case DATA -> t.deliver(p.data());
                    case PING -> throw new MalformedCell(Refusal.MALFORMED, "BACKWARD carrying PING");
                }
            }
            case Binding b -> {
                byte[] body = cell.body();
                DataCell.wrap(b.keys, b.backwardSequence++, body);
                send(b.predecessor, new Cell(CellType.BACKWARD, b.inId, body));
            }
            case null -> throw new MalformedCell(Refusal.UNKNOWN_TUNNEL, "BACKWARD for id " + Integer.toUnsignedString(cell.linkId()));
            default -> throw new IllegalStateException("unexpected downstream entry");
        }
    }

    private void entered(Cell cell) throws MalformedCell {
        Binding b = entries.get(cell.linkId());
        if (b == null) {
            throw new MalformedCell(Refusal.UNKNOWN_TUNNEL, "ENTER for entry id " + Integer.toUnsignedString(cell.linkId()));
        }
        Payload p = DataCell.plain(cell.body());
        if (p.kind() != Payload.Kind.DATA) {
            throw new MalformedCell(Refusal.MALFORMED, "ENTER carrying " + p.kind());
        }
        sendBackwardFromEnd(b, p);
    }

    private void sendBackwardFromEnd(Binding b, Payload payload) {
        if (upstream.get(new LinkId(b.predecessor, b.inId)) != b) {
            return;
        }
        byte[] body = DataCell.startBackward(payload, random);
        DataCell.wrap(b.keys, b.backwardSequence++, body);
        send(b.predecessor, new Cell(CellType.BACKWARD, b.inId, body));
    }

    private void destroyed(Link link, int id) {
        Binding up = upstream.get(new LinkId(link, id));
        if (up != null) {
            tearDown(up, link);
            return;
        }
        switch (downstream.get(new LinkId(link, id))) {
            case Binding b -> tearDown(b, link);
            case Tunnel t -> {
                downstream.remove(new LinkId(link, id));
                awaitingAck.remove(t);
                t.tornDown("a hop destroyed it");
            }
            case null -> refuse(Refusal.UNKNOWN_TUNNEL, link + ": DESTROY for id " + Integer.toUnsignedString(id));
            default -> throw new IllegalStateException("unexpected downstream entry");
        }
    }

    /** Drops a binding and tells the neighbours other than {@code from} (null: both). */
    private void tearDown(Binding b, Link from) {
        upstream.remove(new LinkId(b.predecessor, b.inId));
        entries.remove(b.entryId);
        if (b.successor != null) {
            downstream.remove(new LinkId(b.successor, b.outId));
            if (b.successor != from) {
                send(b.successor, new Cell(CellType.DESTROY, b.outId, new byte[Cell.BODY_BYTES]));
            }
        }
        if (b.predecessor != from) {
            send(b.predecessor, new Cell(CellType.DESTROY, b.inId, new byte[Cell.BODY_BYTES]));
        }
    }

    private void onLinkClosed(Link link) {
        if (link.failure() != null) {
            runner.errors().warn("connect", roleName() + ": cannot reach " + link + ": " + link.failure().getMessage());
        }
        allLinks.remove(link);
        links.values().remove(link);
        for (Binding b : new ArrayList<>(upstream.values())) {
            if (b.predecessor == link || b.successor == link) {
                tearDown(b, link);
            }
        }
        downstream.entrySet().removeIf(e -> {
            if (e.getKey().link() == link && e.getValue() instanceof Tunnel t) {
                awaitingAck.remove(t);
                t.tornDown("the link to the first hop closed");
                return true;
            }
            return false;
        });
    }

    private void build(Build b) {
        SetupOnion.Built built;
        try {
            built = SetupOnion.build(b.path(), clock.millis(), random);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            b.result().completeExceptionally(new IllegalArgumentException("cannot build a tunnel through " + b.path() + ": "
                    + e.getMessage(), e));
            return;
        }
        Tunnel t = new Tunnel(runner, b.path(), built.keys(), b.onData());
        t.ready().whenComplete((tunnel, failure) -> {
            if (failure == null) {
                b.result().complete(tunnel);
            } else {
                b.result().completeExceptionally(failure);
            }
        });
        Link first = linkTo(b.path().getFirst());
        t.link = first;
        t.linkId = freshLinkId(first);
        downstream.put(new LinkId(first, t.linkId), t);
        awaitingAck.put(t, clock.millis() + setupTimeoutMillis);
        send(first, new Cell(CellType.SETUP, t.linkId, built.body()));
    }

    private void sendForward(Tunnel t, Payload payload) {
        if (downstream.get(new LinkId(t.link, t.linkId)) != t) {
            runner.errors().warn("send-on-closed", roleName() + ": data for a tunnel that is not up was dropped");
            return;
        }
        byte[] body = DataCell.sealForward(t.keys(), t.forwardSequence++, payload, random);
        send(t.link, new Cell(CellType.FORWARD, t.linkId, body));
    }

    /** The origin gives up a tunnel it suspects (no answer through it): its hops drop their bindings, hop by hop. */
    private void destroy(Tunnel t) {
        if (downstream.remove(new LinkId(t.link, t.linkId), t)) {
            awaitingAck.remove(t);
            send(t.link, new Cell(CellType.DESTROY, t.linkId, new byte[Cell.BODY_BYTES]));
            t.tornDown("given up by its origin");
        }
    }

    private void enter(Enter e) {
        Link link = linkTo(e.entry());
        byte[] body = DataCell.startBackward(e.payload(), random);
        send(link, new Cell(CellType.ENTER, e.entryId(), body));
    }

    private Link linkTo(Hop hop) {
        Link existing = links.get(key(hop));
        if (existing != null) {
            return existing;
        }
        Link link = Link.outgoing(hop, () -> {
            Socket s = sockets.connect(hop.address(), CONNECT_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            return s;
        });
        links.put(key(hop), link);
        open(link);
        byte[] hello = new byte[Cell.BODY_BYTES];
        HopCodec.put(ByteBuffer.wrap(hello), self);
        send(link, new Cell(CellType.HELLO, 0, hello));
        return link;
    }

    private void open(Link link) {
        allLinks.add(link);
        link.start(name, (l, frame) -> runner.deliver(new Arrived(l, frame)), l -> runner.deliver(new LinkClosed(l)));
    }

    private void send(Link link, Cell cell) {
        if (link.send(cell)) {
            counters.cellOut();
        } else {
            runner.errors().warn("link-full", roleName() + ": " + link + " took none of the last " + Link.OUTBOX_CELLS
                    + " cells, closing it");
            link.close();
        }
    }

    private int freshLinkId(Link link) {
        while (true) {
            int id = random.nextInt();
            if (id != 0 && !downstream.containsKey(new LinkId(link, id))) {
                return id;
            }
        }
    }

    private int freshEntryId() {
        while (true) {
            int id = random.nextInt();
            if (id != 0 && !entries.containsKey(id)) {
                return id;
            }
        }
    }

    private static String key(Hop hop) {
        return HexFormat.of().formatHex(hop.publicKey());
    }
}
