package dev.d2r2.overlay.kad;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Results.GetResult;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.kad.Results.PutResult;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A Kademlia node with no socket and no thread: it is fed messages ({@link #onMessage}) and timer
 * ticks ({@link #onTimer}) by its owner — a simulated network in tests, the UDP agent for real —
 * reads time from the injected {@link Clock}, and sends through an {@link Outbox}. All methods
 * must be called from one thread; callbacks run on it.
 */
public final class KadNode {
    /** Where the node's messages go. */
    public interface Outbox {
        void send(InetSocketAddress to, Message m);
    }

    /**
     * Whether a contact may enter the routing table, from the card its PONG carried (empty if it announces none): an
     * overlay built on top admits only peers that prove something (Pr2-P2PSIP's forwarding overlay: a signed card).
     */
    public interface Admission {
        boolean admit(Contact contact, byte[] card);
    }

    /** Verdicts remembered, so a contact is asked for its card once (a refused one does not cost a PING per message). */
    private static final int VERDICTS = 4096;

    private enum RpcKind { PING, JOIN, PROBE, FIND, STORE }

    private static final class Rpc {
        final long tx;
        final Contact to;
        final InetSocketAddress address;
        final RpcKind kind;
        final Message request;
        long deadline;
        int attempts = 1;
        final Lookup lookup;
        final Put put;
        Consumer<byte[]> probe;
        boolean done;

        Rpc(long tx, Contact to, InetSocketAddress address, RpcKind kind, Message request, long deadline, Lookup lookup, Put put) {
            this.tx = tx;
            this.to = to;
            this.address = address;
            this.kind = kind;
            this.request = request;
            this.deadline = deadline;
            this.lookup = lookup;
            this.put = put;
        }
    }

    /** A store on the k closest nodes, reported once every one answered or timed out. */
    private static final class Put {
        final NodeId key;
        final Consumer<PutResult> done;
        int asked;
        int answered;
        int stored;

        Put(NodeId key, Consumer<PutResult> done) {
            this.key = key;
            this.done = done;
        }

        void answer(boolean ok) {
            answered++;
            if (ok) {
                stored++;
            }
            if (answered == asked && done != null) {
                done.accept(new PutResult(key, stored, asked));
            }
        }
    }

    private record Published(SignedValue value, long[] nextRepublish) {
    }

    private final KadConfig config;
    private final NodeId self;
    private final Clock clock;
    private final RandomGenerator random;
    private final Outbox outbox;
    private final RoutingTable table;
    private final ValueStore store;
    private final KadStats stats = new KadStats();
    private final Map<Long, Rpc> rpcs = new HashMap<>();
    private final PriorityQueue<Rpc> rpcDeadlines = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final Map<Lookup, Consumer<Lookup>> lookups = new LinkedHashMap<>();
    private final Map<NodeId, Published> published = new HashMap<>();
    private long nextMaintenance;
    private boolean joinLookupStarted;
    private byte[] card = new byte[0];
    private Admission admission;
    private final Map<Contact, Boolean> verdicts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Contact, Boolean> eldest) {
            return size() > VERDICTS;
        }
    };
    private final Set<Contact> checking = new HashSet<>();

    public KadNode(KadConfig config, NodeId self, Clock clock, RandomGenerator random, Outbox outbox) {
        this.config = config;
        this.self = self;
        this.clock = clock;
        this.random = random;
        this.outbox = outbox;
        long now = clock.millis();
        this.table = new RoutingTable(self, config.k(), now);
        this.store = new ValueStore(config.maxValues());
        this.nextMaintenance = now + config.maintenance().toMillis();
    }

    /** What this node's PONGs carry from now on (empty: nothing), for the overlay built on top. */
    public void announce(byte[] card) {
        this.card = card.clone();
    }

    /**
     * From now on a contact enters the routing table only once {@code admission} accepted the card of its PONG (asked
     * for with a PING the first time the contact is seen, or taken from a PONG it sent); refused ones are counted
     * ({@link KadStats#contactsRefused}). Set it before the node joins.
     */
    public void admitOnly(Admission admission) {
        this.admission = admission;
    }

    /**
     * PINGs {@code to}; {@code done} gets the card of its PONG (empty if it announces none), or null
     * once every attempt went unanswered or it answered under another id.
     */
    public void probe(Contact to, Consumer<byte[]> done) {
        call(to, to.address(), RpcKind.PROBE, null, null, tx -> new Message.Ping(tx, self)).probe = done;
    }

    public NodeId id() {
        return self;
    }

    public RoutingTable table() {
        return table;
    }

    public ValueStore store() {
        return store;
    }

    public KadStats stats() {
        return stats;
    }

    /** Joins through known addresses: pings them, and on the first answer looks itself up to fill its buckets. */
    public void join(List<InetSocketAddress> seeds) {
        for (InetSocketAddress a : seeds) {
            call(null, a, RpcKind.JOIN, null, null, tx -> new Message.Ping(tx, self));
        }
    }

    public void lookup(NodeId target, Consumer<LookupResult> done) {
        startLookup(target, false, l -> done.accept(new LookupResult(target, l.closest(), l.hops(), l.queries(),
                clock.millis() >= l.deadline)));
    }

    public void get(NodeId key, Consumer<GetResult> done) {
        requireValues();
        SignedValue local = store.get(key, clock.millis());
        if (local != null) {
            done.accept(new GetResult(key, local, 0, 0));
            return;
        }
        startLookup(key, true, l -> done.accept(new GetResult(key, l.value(), l.hops(), l.queries())));
    }

    /** Stores an own value on the k closest nodes, and again every republish interval while this node runs. */
    public void put(SignedValue value, Consumer<PutResult> done) {
        requireValues();
        published.put(value.key(), new Published(value, new long[]{clock.millis() + config.republish().toMillis()}));
        storeOnClosest(value, config.valueTtl().toMillis(), done);
    }

    private void requireValues() {
        if (!config.carriesValues()) {
            throw new IllegalStateException("this overlay carries no values (KadConfig.carriesValues is false)");
        }
    }

    /** Stops republishing an own value; the stored copies expire with their time to live. */
    public void unpublish(NodeId key) {
        published.remove(key);
    }

    private void storeOnClosest(SignedValue value, long ttl, Consumer<PutResult> done) {
        startLookup(value.key(), false, l -> {
            Put put = new Put(value.key(), done);
            List<Contact> closest = l.closest();
            put.asked = closest.size();
            if (closest.isEmpty() && done != null) {
                done.accept(new PutResult(value.key(), 0, 0));
            }
            for (Contact c : closest) {
                call(c, c.address(), RpcKind.STORE, null, put, tx -> new Message.Store(tx, self, value, ttl));
            }
        });
    }

    private void startLookup(NodeId target, boolean forValue, Consumer<Lookup> done) {
        long now = clock.millis();
        stats.lookups++;
        table.touched(target, now);
        Lookup l = new Lookup(self, target, forValue, config.k(), config.alpha(), config.maxHops(), now + config.lookupTimeout().toMillis(),
                table.closest(target, config.k()));
        lookups.put(l, done);
        advance(l);
    }

    private void advance(Lookup l) {
        for (Contact c : l.next()) {
            call(c, c.address(), RpcKind.FIND, l, null,
                    tx -> l.forValue ? new Message.FindValue(tx, self, l.target) : new Message.FindNode(tx, self, l.target));
        }
        long now = clock.millis();
        if (l.done(now)) {
            Consumer<Lookup> done = lookups.remove(l);
            if (done != null) {
                if (now >= l.deadline) {
                    stats.lookupsTimedOut++;
                }
                done.accept(l);
            }
        }
    }

    private interface Request {
        Message with(long tx);
    }

    private Rpc call(Contact to, InetSocketAddress address, RpcKind kind, Lookup lookup, Put put, Request request) {
        long tx = random.nextLong();
        while (rpcs.containsKey(tx)) {
            tx = random.nextLong();
        }
        Rpc rpc = new Rpc(tx, to, address, kind, request.with(tx), clock.millis() + config.rpcTimeout().toMillis(), lookup, put);
        rpcs.put(tx, rpc);
        rpcDeadlines.add(rpc);
        send(address, rpc.request);
        return rpc;
    }

    private void send(InetSocketAddress to, Message m) {
        stats.sent++;
        outbox.send(to, m);
    }

    /** A message arrived from {@code from} (the packet's source address, not anything it claims). */
    public void onMessage(InetSocketAddress from, Message m) {
        stats.received++;
        if (m.sender().equals(self)) {
            stats.unexpected++;
            return;
        }
        if (!config.carriesValues() && (m instanceof Message.Store || m instanceof Message.FindValue)) {
            stats.valueRequestsRefused++;
            return;
        }
        Contact sender = new Contact(m.sender(), from);
        switch (m) {
            case Message.Ping p -> {
                seen(sender);
                send(from, new Message.Pong(p.tx(), self, card));
            }
            case Message.FindNode f -> {
                seen(sender);
                send(from, new Message.Nodes(f.tx(), self, closestExcept(f.target(), m.sender())));
            }
            case Message.FindValue f -> {
                seen(sender);
                SignedValue v = store.get(f.key(), clock.millis());
                send(from, v != null ? new Message.Found(f.tx(), self, v)
                        : new Message.Nodes(f.tx(), self, closestExcept(f.key(), m.sender())));
            }
            case Message.Store s -> {
                seen(sender);
                send(from, new Message.Stored(s.tx(), self, hold(s.value(), s.ttlMillis())));
            }
            case Message.Pong p -> reply(p, sender);
            case Message.Nodes n -> reply(n, sender);
            case Message.Found f -> reply(f, sender);
            case Message.Stored s -> reply(s, sender);
        }
        pump();
    }

    private List<Contact> closestExcept(NodeId target, NodeId asker) {
        List<Contact> closest = table.closest(target, config.k() + 1);
        closest.removeIf(c -> c.id().equals(asker));
        return closest.size() > config.k() ? closest.subList(0, config.k()) : closest;
    }

    private boolean hold(SignedValue v, long ttlMillis) {
        long now = clock.millis();
        long ttl = Math.min(ttlMillis, config.valueTtl().toMillis());
        if (ttl <= 0) {
            stats.storesRejected++;
            return false;
        }
        ValueStore.Verdict verdict = store.put(v, now + ttl, now + jittered(config.replicate().toMillis()));
        boolean ok = verdict == ValueStore.Verdict.ACCEPTED || verdict == ValueStore.Verdict.REFRESHED;
        if (ok) {
            stats.storesAccepted++;
        } else {
            stats.storesRejected++;
        }
        return ok;
    }

    /** Spreads holders' replication over a quarter interval, so the first one's STORE spares the others theirs. */
    private long jittered(long interval) {
        return interval + random.nextLong(interval / 4 + 1);
    }

    private void reply(Message m, Contact sender) {
        Rpc rpc = rpcs.get(m.tx());
        if (rpc == null || rpc.done || !rpc.address.equals(sender.address())
                || (rpc.to != null && !rpc.to.id().equals(sender.id())) || !answers(rpc.kind, m)) {
            stats.unexpected++;
            return;
        }
        finish(rpc);
        if (m instanceof Message.Pong p) {
            judge(sender, p.card());
        }
        seen(sender);
        switch (m) {
            case Message.Pong p -> {
                if (rpc.probe != null) {
                    rpc.probe.accept(p.card());
                }
                if (rpc.kind == RpcKind.JOIN && !joinLookupStarted) {
                    joinLookupStarted = true;
                    lookup(self, r -> {
                    });
                }
            }
            case Message.Nodes n -> rpc.lookup.answered(sender.id(), n.contacts());
            case Message.Found f -> {
                if (f.value().key().equals(rpc.lookup.target) && f.value().verify()) {
                    rpc.lookup.found(sender.id(), f.value());
                } else {
                    stats.forgedValues++;
                    rpc.lookup.failed(sender.id());
                }
            }
            case Message.Stored s -> rpc.put.answer(s.accepted());
            default -> throw new IllegalStateException("not a reply: " + m);
        }
    }

    private static boolean answers(RpcKind kind, Message m) {
        return switch (kind) {
            case PING, JOIN, PROBE -> m instanceof Message.Pong;
            case FIND -> m instanceof Message.Nodes || m instanceof Message.Found;
            case STORE -> m instanceof Message.Stored;
        };
    }

    private void finish(Rpc rpc) {
        rpc.done = true;
        rpcs.remove(rpc.tx);
    }

    private void seen(Contact c) {
        if (admission != null && !table.contains(c.id())) {
            Boolean verdict = verdicts.get(c);
            if (verdict == null) {
                askForCard(c);
            }
            if (!Boolean.TRUE.equals(verdict)) {
                return;
            }
        }
        enter(c);
    }

    /** A PING to a contact not yet judged; its PONG's card decides ({@link #reply} judges every PONG not yet judged). */
    private void askForCard(Contact c) {
        if (checking.add(c)) {
            call(c, c.address(), RpcKind.PROBE, null, null, tx -> new Message.Ping(tx, self)).probe = card -> checking.remove(c);
        }
    }

    private void judge(Contact c, byte[] card) {
        if (admission == null || verdicts.containsKey(c)) {
            return;
        }
        boolean admitted = admission.admit(c, card);
        verdicts.put(c, admitted);
        if (!admitted) {
            stats.contactsRefused++;
        }
    }

    private void enter(Contact c) {
        Contact toPing = table.seen(c, clock.millis(), config.rpcTimeout().toMillis() * config.attempts() + 1);
        if (toPing != null) {
            call(toPing, toPing.address(), RpcKind.PING, null, null, tx -> new Message.Ping(tx, self));
        }
    }

    private void pump() {
        for (Lookup l : new ArrayList<>(lookups.keySet())) {
            advance(l);
        }
    }

    /** When {@link #onTimer} is next due, in the clock's milliseconds. */
    public long nextDueMillis() {
        long due = Math.min(nextMaintenance, table.nextPingDeadline());
        Rpc first = rpcDeadlines.peek();
        while (first != null && first.done) {
            rpcDeadlines.poll();
            first = rpcDeadlines.peek();
        }
        if (first != null) {
            due = Math.min(due, first.deadline);
        }
        for (Lookup l : lookups.keySet()) {
            due = Math.min(due, l.deadline);
        }
        return due;
    }

    public void onTimer(long now) {
        Rpc r;
        while ((r = rpcDeadlines.peek()) != null && r.deadline <= now) {
            rpcDeadlines.poll();
            if (r.done) {
                continue;
            }
            if (r.attempts < config.attempts()) {
                r.attempts++;
                r.deadline = now + config.rpcTimeout().toMillis();
                rpcDeadlines.add(r);
                send(r.address, r.request);
            } else {
                finish(r);
                expired(r);
            }
        }
        table.expirePings(now);
        if (now >= nextMaintenance) {
            nextMaintenance = now + config.maintenance().toMillis();
            maintain(now);
        }
        pump();
    }

    private void expired(Rpc r) {
        stats.timeouts++;
        if (r.to != null) {
            table.failed(r.to.id(), config.maxFailures());
        }
        if (r.lookup != null) {
            r.lookup.failed(r.to.id());
        }
        if (r.put != null) {
            r.put.answer(false);
        }
        if (r.probe != null) {
            r.probe.accept(null);
        }
    }

    private void maintain(long now) {
        stats.expired += store.expire(now);
        for (ValueStore.Held h : store.dueForReplication(now, now + jittered(config.replicate().toMillis()))) {
            storeOnClosest(h.value, h.expiresAt - now, null);
        }
        for (Published p : published.values()) {
            if (p.nextRepublish[0] <= now) {
                p.nextRepublish[0] = now + config.republish().toMillis();
                storeOnClosest(p.value, config.valueTtl().toMillis(), null);
            }
        }
        for (int bucket : table.staleBuckets(now - config.refresh().toMillis(), now)) {
            startLookup(self.randomInBucket(bucket, random), false, l -> {
            });
        }
    }
}
