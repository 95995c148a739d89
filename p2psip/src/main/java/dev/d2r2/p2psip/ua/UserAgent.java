package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.contact.ContactCounters;
import dev.d2r2.p2psip.contact.ContactData;
import dev.d2r2.p2psip.contact.ContactLookup;
import dev.d2r2.p2psip.contact.EntryPoint;
import dev.d2r2.p2psip.contact.ExitChannel;
import dev.d2r2.p2psip.contact.ExitMessage;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.PathSelector;
import dev.d2r2.p2psip.tunnel.Payload;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.ReplayWindow;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.TunnelKind;
import dev.d2r2.p2psip.tunnel.X25519;

import java.io.IOException;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Pr2-P2PSIP user agent: its inbound tunnels, whose entry points its contact data L(A, t)
 * names; an outbound tunnel reserved for publishing that data every τ; and outbound tunnels for
 * lookups and signalling. A message to another user goes: lookup of their contact data (cached
 * until it expires, retried over the other lookup tunnels) → this agent's outbound tunnel → its
 * exit → the callee's entry point → the callee's inbound tunnel.
 */
public final class UserAgent implements AutoCloseable {
    /**
     * @param inboundTunnels q, the inbound tunnels (and entry points) the contact data names
     * @param lookupTunnels  outbound tunnels for lookups and signalling; a lookup tries them in turn
     * @param refresh        τ, how often the contact data is published again
     * @param lifetime       how long published contact data stays valid (more than τ, so a copy is always valid)
     * @param timeout        how long one overlay request through a tunnel may take
     */
    public record Settings(int inboundTunnels, int lookupTunnels, Duration refresh, Duration lifetime, Duration timeout) {
        public static Settings defaults() {
            return new Settings(2, 2, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(3));
        }
    }

    /** The largest message {@link #send} carries (one cell through the exit into the entry point). */
    public static final int MAX_MESSAGE = SignalEnvelope.maxMessage(Payload.MAX_DATA_BYTES - ExitMessage.ENTER_HEADER);

    /** Attempts at one tunnel, each through a freshly picked path, before a build (or rebuild) is given up. */
    private static final int BUILD_ATTEMPTS = 4;
    private static final int PROBE_TIMEOUT_MS = 1000;
    /** Fresh picks for an inbound path whose entry point would be the first hop of an outbound tunnel. */
    private static final int REPICKS = 32;
    /** How far an envelope's signed clock may be from the callee's; the one-time keys seen are kept for twice that. */
    static final long REPLAY_WINDOW_MS = 60_000;

    private final Identity identity;
    /** The X25519 key others encrypt their messages to, certified by being in the contact data this agent signs. */
    private final KeyPair signalKey = X25519.generate();
    private final Relay relay;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<List<Hop>> pool;
    private final PathSelector paths;
    private final ContactCounters contacts = new ContactCounters();
    private final Map<String, CompletableFuture<ContactData>> cache = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong rebuilt = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    /** Envelopes reach the agent on relay threads: guarded by itself. */
    private final ReplayWindow replays = new ReplayWindow(REPLAY_WINDOW_MS);
    private final List<Tunnel> inbound = new CopyOnWriteArrayList<>();
    private final Set<Hop> departed = ConcurrentHashMap.newKeySet();
    private volatile BiConsumer<byte[], byte[]> listener = (from, message) -> { };
    private volatile boolean closing;
    private ExitChannel publishing;
    private List<ExitChannel> lookups;
    private ContactLookup lookup;

    private UserAgent(Identity identity, Relay relay, Settings settings, Clock clock, Supplier<List<Hop>> pool, PathSelector paths) {
        this.identity = identity;
        this.relay = relay;
        this.settings = settings;
        this.clock = clock;
        this.pool = pool;
        this.paths = paths;
    }

    /**
     * Builds the agent's tunnels from hops of {@code pool} (through {@code paths}, so inbound
     * tunnels start at an entry guard), publishes its contact data and schedules the refresh.
     * A tunnel that closes later (a hop left) is built again through other hops.
     */
    public static UserAgent start(Identity identity, Relay relay, Settings settings, Clock clock, Supplier<List<Hop>> pool,
                                  PathSelector paths) throws Exception {
        UserAgent ua = new UserAgent(identity, relay, settings, clock, pool, paths);
        ua.buildTunnels();
        ua.publish().get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        ua.timer.scheduleAtFixedRate(() -> ua.publish(), settings.refresh().toMillis(), settings.refresh().toMillis(),
                TimeUnit.MILLISECONDS);
        return ua;
    }

    private void buildTunnels() throws Exception {
        for (int i = 0; i < settings.inboundTunnels(); i++) {
            Tunnel t = build(TunnelKind.INBOUND, path -> relay.build(path, this::receive));
            inbound.add(t);
            watchInbound(t);
        }
        publishing = build(TunnelKind.OUTBOUND, this::outbound);
        watchOutbound(publishing);
        List<ExitChannel> channels = new ArrayList<>();
        for (int i = 0; i < settings.lookupTunnels(); i++) {
            ExitChannel channel = build(TunnelKind.OUTBOUND, this::outbound);
            channels.add(channel);
            watchOutbound(channel);
        }
        lookups = List.copyOf(channels);
        lookup = new ContactLookup(lookups, clock, contacts);
    }

    private CompletableFuture<ExitChannel> outbound(List<Hop> path) {
        return ExitChannel.open(relay, path, settings.timeout());
    }

    /**
     * Builds through freshly picked paths until one is acknowledged. A failed path's hops are probed,
     * and those that no longer accept connections leave this agent's pool (a departed peer cannot say so).
     */
    private <T> T build(TunnelKind kind, Function<List<Hop>, CompletableFuture<T>> build) throws Exception {
        Exception last = null;
        for (int i = 0; i < BUILD_ATTEMPTS; i++) {
            List<Hop> path = pickApart(kind);
            try {
                return build.apply(path).get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
                probe(path);
            }
        }
        throw new IllegalStateException("no " + kind + " tunnel after " + BUILD_ATTEMPTS + " paths", last);
    }

    /**
     * A path whose hops that learn the user's address are never named in its contact data: an outbound tunnel
     * avoids the user's entry points, and an inbound tunnel's entry point is none of the outbound tunnels' first
     * hops (picked again, a bounded number of times; the pool is not filtered for inbound tunnels, so that it keeps
     * the entry guards). A peer that was both would map h(user) to the user's address.
     */
    private List<Hop> pickApart(TunnelKind kind) {
        if (kind == TunnelKind.OUTBOUND) {
            List<Hop> entries = inbound.stream().map(t -> t.path().getLast()).toList();
            return paths.pick(kind, livePool().stream().filter(h -> !among(entries, h)).toList());
        }
        List<Hop> firstHops = outboundTunnels().stream().map(t -> t.path().getFirst()).toList();
        List<Hop> path = paths.pick(kind, livePool());
        for (int i = 0; i < REPICKS && among(firstHops, path.getLast()); i++) {
            path = paths.pick(kind, livePool());
        }
        return path;
    }

    private static boolean among(List<Hop> hops, Hop hop) {
        return hops.stream().anyMatch(h -> h.sameKey(hop.publicKey()));
    }

    private List<Tunnel> outboundTunnels() {
        List<Tunnel> tunnels = new ArrayList<>();
        if (publishing != null) {
            tunnels.add(publishing.tunnel());
        }
        if (lookups != null) {
            lookups.forEach(c -> tunnels.add(c.tunnel()));
        }
        return tunnels;
    }

    private List<Hop> livePool() {
        return pool.get().stream().filter(h -> !departed.contains(h)).toList();
    }

    private void probe(List<Hop> path) {
        for (Hop hop : path) {
            try (Socket s = new Socket()) {
                s.connect(hop.address(), PROBE_TIMEOUT_MS);
            } catch (IOException e) {
                departed.add(hop);
            }
        }
    }

    private void watchInbound(Tunnel t) {
        t.closed().thenRun(() -> rebuildAfter(0, () -> replaceInbound(t)));
    }

    private void watchOutbound(ExitChannel channel) {
        Tunnel t = channel.tunnel();
        t.closed().thenRun(() -> rebuildAfter(0, () -> replaceOutbound(channel, t)));
    }

    /** Runs {@code rebuild} on the timer thread after {@code delayMillis}, unless the agent is closing. */
    private void rebuildAfter(long delayMillis, Runnable rebuild) {
        if (!closing) {
            try {
                timer.schedule(rebuild, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    /** On the timer thread: a new inbound tunnel for one that closed, and contact data naming its entry point at once. */
    private void replaceInbound(Tunnel old) {
        probe(old.path());
        try {
            Tunnel fresh = build(TunnelKind.INBOUND, path -> relay.build(path, this::receive));
            inbound.set(inbound.indexOf(old), fresh);
            watchInbound(fresh);
            rebuilt.incrementAndGet();
            publish();
        } catch (Exception e) {
            rebuildAfter(settings.timeout().toMillis(), () -> replaceInbound(old));
        }
    }

    /** On the timer thread: a new tunnel for an exit channel whose tunnel closed; the channel keeps its place. */
    private void replaceOutbound(ExitChannel channel, Tunnel old) {
        probe(old.path());
        try {
            build(TunnelKind.OUTBOUND, path -> channel.reopen(relay, path));
            watchOutbound(channel);
            rebuilt.incrementAndGet();
        } catch (Exception e) {
            rebuildAfter(settings.timeout().toMillis(), () -> replaceOutbound(channel, old));
        }
    }

    /** Publishes L(A, now) through the publishing tunnel; completes with the replicas that took it. */
    public CompletableFuture<Integer> publish() {
        long now = clock.millis();
        List<EntryPoint> entries = inbound.stream().map(t -> new EntryPoint(t.path().getLast(), t.entryId())).toList();
        ContactData data = new ContactData(entries, X25519.raw(signalKey.getPublic()), now, now + settings.lifetime().toMillis());
        return publishing.store(data.sign(identity))
                .whenComplete((replicas, failure) -> contacts.countPublication(failure == null && replicas > 0));
    }

    /**
     * Sends {@code message} to the user whose identity key is {@code to}; completes, once it left
     * through an exit, with the route it took.
     */
    public CompletableFuture<Route> send(byte[] to, byte[] message) {
        if (message.length > MAX_MESSAGE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a signalling message is at most " + MAX_MESSAGE + " bytes, not " + message.length));
        }
        return contact(to).thenApply(data -> {
            ExitChannel channel = lookups.get(pathIndex(to) % lookups.size());
            Route route = new Route(channel.tunnel(), entry(data, to));
            channel.enter(route.entry(), SignalEnvelope.seal(identity, to, data.signalKey(), clock.millis(), message));
            sent.incrementAndGet();
            return route;
        });
    }

    /** The route a message to {@code to} takes now (looking its contact data up if no usable copy is cached). */
    public CompletableFuture<Route> routeTo(byte[] to) {
        return contact(to).thenApply(data -> new Route(lookups.get(pathIndex(to) % lookups.size()).tunnel(), entry(data, to)));
    }

    private static EntryPoint entry(ContactData data, byte[] to) {
        return data.entries().get(pathIndex(to) % data.entries().size());
    }

    /** One path per correspondent (while its contact data lasts), so messages arrive in the order sent. */
    private static int pathIndex(byte[] to) {
        return Arrays.hashCode(to) & Integer.MAX_VALUE;
    }

    /** The owner's contact data: a usable cached copy, the lookup already under way, or a new lookup. */
    private CompletableFuture<ContactData> contact(byte[] owner) {
        return cache.compute(HexFormat.of().formatHex(owner), (key, known) -> known != null && usable(known) ? known : lookup.find(owner));
    }

    /**
     * A copy is used until it expires or is older than τ: its owner publishes again every τ, and at once
     * when an inbound tunnel was rebuilt, so an older copy may name an entry point that is gone.
     */
    private boolean usable(CompletableFuture<ContactData> known) {
        if (!known.isDone()) {
            return true;
        }
        if (known.isCompletedExceptionally()) {
            return false;
        }
        long now = clock.millis();
        ContactData data = known.join();
        return data.expiresAtMillis() > now && data.issuedAtMillis() + settings.refresh().toMillis() > now;
    }

    /** Gets every message that reaches this agent (sender's identity key, message), on a relay thread. */
    public void onMessage(BiConsumer<byte[], byte[]> listener) {
        this.listener = listener;
    }

    private void receive(byte[] bytes) {
        SignalEnvelope envelope;
        try {
            envelope = SignalEnvelope.open(bytes, identity.publicKey(), signalKey.getPrivate());
        } catch (IllegalArgumentException e) {
            refused.incrementAndGet();
            return;
        }
        ReplayWindow.Verdict verdict;
        synchronized (replays) {
            verdict = replays.admit(envelope.oneTimeKey(), envelope.sentAtMillis(), clock.millis());
        }
        if (verdict != ReplayWindow.Verdict.FRESH) {
            refused.incrementAndGet();
            (verdict == ReplayWindow.Verdict.REPLAYED ? replayed : stale).incrementAndGet();
            return;
        }
        received.incrementAndGet();
        listener.accept(envelope.sender(), envelope.message());
    }

    public byte[] identityKey() {
        return identity.publicKey();
    }

    public ContactCounters contacts() {
        return contacts;
    }

    public List<Tunnel> inboundTunnels() {
        return List.copyOf(inbound);
    }

    public Tunnel publishingTunnel() {
        return publishing.tunnel();
    }

    public List<Tunnel> lookupTunnels() {
        return lookups.stream().map(ExitChannel::tunnel).toList();
    }

    public long sent() {
        return sent.get();
    }

    public long received() {
        return received.get();
    }

    /** Tunnels built again because one closed (a hop left or refused a layer). */
    public long rebuilt() {
        return rebuilt.get();
    }

    /** Envelopes refused as a copy of one already received within the replay window (also in {@link #refused}). */
    public long replayed() {
        return replayed.get();
    }

    /** Envelopes refused because their signed clock is more than the replay window off this agent's (also in {@link #refused}). */
    public long stale() {
        return stale.get();
    }

    /** Messages that reached an inbound tunnel but were refused (too short, not sealed to this agent, altered, a signature that does not check, replayed or stale). */
    public long refused() {
        return refused.get();
    }

    @Override
    public void close() {
        closing = true;
        timer.shutdownNow();
    }
}
