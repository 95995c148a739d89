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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A Pr2-P2PSIP user agent: its inbound tunnels, whose entry points its contact data L(A, t)
 * names; an outbound tunnel reserved for publishing that data every τ; and outbound tunnels for
 * lookups and signalling. A message to another user goes: lookup of their contact data (cached
 * until it expires, retried over the other lookup tunnels) → this agent's outbound tunnel → its
 * exit → the callee's entry point → the callee's inbound tunnel. An exchange set up with {@link #call}
 * survives churn: an attempt that gets no answer is retried after a fresh lookup, through another
 * tunnel and entry point (docs/p2psip.md#when-a-hop-leaves). Every envelope names the sender's current entry points,
 * and an answer goes back to them rather than to contact data looked up later, as a SIP response follows its request's
 * Via path.
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
    /** How often each of the agent's tunnels is sent a keepalive through all its hops. */
    private static final long KEEPALIVE_EVERY_MS = 10_000;
    /** The least a keepalive's answer is waited for (the overlay time-out, if longer) before the tunnel is given up. */
    private static final long KEEPALIVE_WAIT_MS = 5_000;
    /** Attempts at one exchange ({@link #call}): the first and at most three retries, each after a time-out without an answer. */
    public static final int SETUP_ATTEMPTS = 4;

    /**
     * A {@link #call} waiting for its answer: the first message from {@code from} that {@code isAnswer} accepts; with
     * what each send did and the lookups that found nothing, for the failure's diagnosis ({@link SetupFailed}).
     */
    private record Awaited(byte[] from, Predicate<byte[]> isAnswer, CompletableFuture<byte[]> answer, List<SetupFailed.Send> sends,
                           AtomicInteger lookupFailures) {
    }

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
    private final AtomicLong setupRetries = new AtomicLong();
    private final AtomicLong setupFailures = new AtomicLong();
    private final AtomicLong suspected = new AtomicLong();
    private final AtomicLong cleared = new AtomicLong();
    private final AtomicLong keepalivesMissed = new AtomicLong();
    private final List<Awaited> awaited = new CopyOnWriteArrayList<>();
    /** Bumped by each publication a rebuild or the refresh starts; a failed one is retried only while it is the latest. */
    private final AtomicLong publications = new AtomicLong();
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
     * tunnels start at an entry guard), publishes its contact data (again after each time-out while no replica took it)
     * and schedules the refresh.
     * A tunnel that closes later (a hop left) is built again through other hops.
     */
    public static UserAgent start(Identity identity, Relay relay, Settings settings, Clock clock, Supplier<List<Hop>> pool,
                                  PathSelector paths) throws Exception {
        UserAgent ua = new UserAgent(identity, relay, settings, clock, pool, paths);
        ua.buildTunnels();
        if (ua.publish().get(ua.publishTimeout().plus(settings.timeout()).toMillis(), TimeUnit.MILLISECONDS) == 0) {
            // no replica took it (a freshly joined overlay): callers would find nothing until the refresh τ later
            ua.publishUntilStored();
        }
        ua.timer.scheduleAtFixedRate(ua::publishUntilStored, settings.refresh().toMillis(), settings.refresh().toMillis(),
                TimeUnit.MILLISECONDS);
        ua.timer.scheduleAtFixedRate(ua::keepalive, KEEPALIVE_EVERY_MS, KEEPALIVE_EVERY_MS, TimeUnit.MILLISECONDS);
        return ua;
    }

    private void buildTunnels() throws Exception {
        for (int i = 0; i < settings.inboundTunnels(); i++) {
            Tunnel t = build(TunnelKind.INBOUND, path -> relay.build(path, this::receive));
            inbound.add(t);
            watchInbound(t);
        }
        publishing = build(TunnelKind.OUTBOUND, path -> ExitChannel.open(relay, path, publishTimeout()));
        watchOutbound(publishing);
        List<ExitChannel> channels = new ArrayList<>();
        for (int i = 0; i < settings.lookupTunnels(); i++) {
            ExitChannel channel = build(TunnelKind.OUTBOUND, this::outbound, List.of(), exitsApartFrom(false));
            channels.add(channel);
            watchOutbound(channel);
        }
        lookups = List.copyOf(channels);
        // the owner publishes every τ: where a copy older than two of them is held, a later publication did not replace it
        lookup = new ContactLookup(lookups, clock, contacts, this::suspect, settings.refresh().multipliedBy(2));
    }

    private CompletableFuture<ExitChannel> outbound(List<Hop> path) {
        return ExitChannel.open(relay, path, settings.timeout());
    }

    /**
     * A store through the exit is answered once all k replicas answered or timed out, and each replica that left costs
     * two RPC time-outs until it drops out of the routing tables: right after churn a publication takes longer than a
     * lookup, so it gets three time-outs.
     */
    private Duration publishTimeout() {
        return settings.timeout().multipliedBy(3);
    }

    /**
     * Builds through freshly picked paths until one is acknowledged. A failed path's hops are probed,
     * and those that no longer accept connections leave this agent's pool (a departed peer cannot say so).
     */
    private <T> T build(TunnelKind kind, Function<List<Hop>, CompletableFuture<T>> build) throws Exception {
        return build(kind, build, List.of(), List.of());
    }

    /**
     * As {@link #build(TunnelKind, Function)}, through none of {@code avoid} while the pool has enough other peers,
     * and for an outbound tunnel with an exit none of {@code otherExits} ({@link #exitsApartFrom}).
     */
    private <T> T build(TunnelKind kind, Function<List<Hop>, CompletableFuture<T>> build, List<Hop> avoid, List<Hop> otherExits)
            throws Exception {
        Exception last = null;
        for (int i = 0; i < BUILD_ATTEMPTS; i++) {
            List<Hop> path = pickAvoiding(kind, avoid, otherExits);
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
     * the entry guards). A peer that was both would map h(user) to the user's address. An outbound tunnel's exit is
     * also none of {@code otherExits} (picked again likewise).
     */
    private List<Hop> pickApart(TunnelKind kind, List<Hop> pool, List<Hop> otherExits) {
        if (kind == TunnelKind.OUTBOUND) {
            List<Hop> entries = inbound.stream().map(t -> t.path().getLast()).toList();
            List<Hop> apart = pool.stream().filter(h -> !among(entries, h)).toList();
            List<Hop> path = paths.pick(kind, apart);
            for (int i = 0; i < REPICKS && among(otherExits, path.getLast()); i++) {
                path = paths.pick(kind, apart);
            }
            return path;
        }
        List<Hop> firstHops = outboundTunnels().stream().map(t -> t.path().getFirst()).toList();
        List<Hop> path = paths.pick(kind, pool);
        for (int i = 0; i < REPICKS && among(firstHops, path.getLast()); i++) {
            path = paths.pick(kind, pool);
        }
        return path;
    }

    /**
     * A path through none of {@code avoid} (the hops of a tunnel that failed, which may still accept connections yet
     * drop cells), or, if the rest of the pool is too small for one, through any live hop.
     */
    private List<Hop> pickAvoiding(TunnelKind kind, List<Hop> avoid, List<Hop> otherExits) {
        List<Hop> pool = livePool();
        if (!avoid.isEmpty()) {
            try {
                return pickApart(kind, pool.stream().filter(h -> !among(avoid, h)).toList(), otherExits);
            } catch (IllegalStateException e) {
                // too few other peers: any live hop will do
            }
        }
        return pickApart(kind, pool, otherExits);
    }

    /**
     * The exits an outbound tunnel must not share (item 6 of the seed's pitfalls): the publishing tunnel's exit sees
     * the user's STOREs, a lookup tunnel's exit the user's lookups, and one peer at both would link them. For the
     * publishing tunnel, the lookup tunnels' exits; for a lookup tunnel, the publishing tunnel's.
     */
    private List<Hop> exitsApartFrom(boolean publishingTunnel) {
        if (publishingTunnel) {
            return lookups == null ? List.of() : lookups.stream().map(c -> c.tunnel().path().getLast()).toList();
        }
        return publishing == null ? List.of() : List.of(publishing.tunnel().path().getLast());
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
                paths.departed(hop);
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

    /**
     * On the timer thread: a new inbound tunnel for one that closed, away from its hops but its entry guard (kept while
     * it accepts connections, so guards stay few), and contact data naming its entry point at once.
     */
    private void replaceInbound(Tunnel old) {
        probe(old.path());
        try {
            Tunnel fresh = build(TunnelKind.INBOUND, path -> relay.build(path, this::receive), old.path().subList(1, old.path().size()),
                    List.of());
            inbound.set(inbound.indexOf(old), fresh);
            watchInbound(fresh);
            rebuilt.incrementAndGet();
            publishUntilStored();
        } catch (Exception e) {
            rebuildAfter(settings.timeout().toMillis(), () -> replaceInbound(old));
        }
    }

    /** On the timer thread: a new tunnel for an exit channel whose tunnel closed; the channel keeps its place. */
    private void replaceOutbound(ExitChannel channel, Tunnel old) {
        probe(old.path());
        try {
            build(TunnelKind.OUTBOUND, path -> channel.reopen(relay, path), old.path(), exitsApartFrom(channel == publishing));
            watchOutbound(channel);
            rebuilt.incrementAndGet();
        } catch (Exception e) {
            rebuildAfter(settings.timeout().toMillis(), () -> replaceOutbound(channel, old));
        }
    }

    /**
     * Pings every tunnel of the agent through all its hops. A hop that drops cells while its links stay up closes
     * nothing, so only a missing answer shows it: the tunnel is given up and rebuilt away from its hops (an inbound
     * one then published at once).
     */
    private void keepalive() {
        List<Tunnel> tunnels = new ArrayList<>(inbound);
        tunnels.addAll(outboundTunnels());
        for (Tunnel t : tunnels) {
            giveUpUnlessAnswered(t);
        }
    }

    /**
     * A lookup through {@code channel} got no answer in time: a hop of its tunnel may drop cells while its links stay up,
     * or the exit's lookup may merely be slow (right after churn it waits for storage peers that left, longer than the
     * time-out). Only a tunnel that does not answer a ping either is given up, and rebuilt away from its hops
     * ({@link #replaceOutbound}): giving up a good one loses the messages on their way through it.
     */
    private void suspect(ExitChannel channel) {
        Tunnel t = channel.tunnel();
        if (!closing && !t.closed().isDone()) {
            suspected.incrementAndGet();
            giveUpUnlessAnswered(t).thenAccept(answered -> {
                if (answered) {
                    cleared.incrementAndGet();
                }
            });
        }
    }

    /**
     * Pings {@code t} and destroys it, counted in {@link #keepalivesMissed}, if no answer comes within the keepalive's
     * wait; completes with whether it answered.
     */
    private CompletableFuture<Boolean> giveUpUnlessAnswered(Tunnel t) {
        if (closing || t.closed().isDone()) {
            return CompletableFuture.completedFuture(false);
        }
        long wait = Math.max(KEEPALIVE_WAIT_MS, settings.timeout().toMillis());
        return t.ping().copy().orTimeout(wait, TimeUnit.MILLISECONDS).handle((answered, failure) -> {
            if (failure != null && !closing && !t.closed().isDone()) {
                keepalivesMissed.incrementAndGet();
                t.destroy();
            }
            return failure == null;
        });
    }

    /** Publishes L(A, now) through the publishing tunnel; completes with the replicas that took it. */
    public CompletableFuture<Integer> publish() {
        long now = clock.millis();
        // an inbound tunnel being rebuilt is left out: its entry point refuses, and its rebuild publishes again
        List<EntryPoint> entries = standingEntries();
        if (entries.isEmpty()) {
            contacts.countPublication(false);
            return CompletableFuture.failedFuture(new IllegalStateException("no inbound tunnel stands"));
        }
        ContactData data = new ContactData(entries, X25519.raw(signalKey.getPublic()), now, now + settings.lifetime().toMillis());
        return publishing.store(data.sign(identity))
                .whenComplete((replicas, failure) -> contacts.countPublication(failure == null && replicas > 0));
    }

    /**
     * Publishes, and again after the time-out until a copy is stored (the publishing tunnel may be being rebuilt, or
     * replicas may have left), unless a newer publication started meanwhile.
     */
    private void publishUntilStored() {
        publishUntilStored(publications.incrementAndGet());
    }

    private void publishUntilStored(long generation) {
        publish().whenComplete((replicas, failure) -> {
            if ((failure != null || replicas == 0) && publications.get() == generation) {
                rebuildAfter(settings.timeout().toMillis(), () -> publishUntilStored(generation));
            }
        });
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
        return contact(to).thenApply(data -> sendVia(to, data, message, 0));
    }

    /**
     * Sets up an exchange with the user whose identity key is {@code to}: sends {@code request} and completes with the
     * first message from that user which {@code isAnswer} accepts, or fails with {@link SetupFailed} after {@code deadline}.
     * An attempt that got no answer within the time-out (its request or answer lost with a tunnel whose hop left, or sent to
     * an entry point that is gone) is retried, at most {@link #SETUP_ATTEMPTS} in all: at once to the callee's next entry
     * point, then through another of this agent's tunnels, on the copy of its contact data held; and the callee is looked
     * up again in the storage overlay meanwhile, the request sent again at once to a newer copy found. A retry does not wait
     * for that lookup: right after churn a lookup may take several time-outs, and the callee's new entry points may not be
     * stored yet anyway.
     */
    public CompletableFuture<byte[]> call(byte[] to, byte[] request, Predicate<byte[]> isAnswer, Duration deadline) {
        if (request.length > MAX_MESSAGE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a signalling message is at most " + MAX_MESSAGE + " bytes, not " + request.length));
        }
        Awaited waiting = new Awaited(to.clone(), isAnswer, new CompletableFuture<>(), new CopyOnWriteArrayList<>(), new AtomicInteger());
        awaited.add(waiting);
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        contact(waiting.from()).whenComplete((found, failure) -> {
            try {
                send(waiting, request, 0, SetupFailed.Copy.HELD, found, failure);
            } finally {
                retryAfterTimeout(waiting, request, 1, deadlineNanos);
            }
        });
        return waiting.answer().orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS).handle((answer, failure) -> {
            awaited.remove(waiting);
            if (failure == null) {
                return answer;
            }
            setupFailures.incrementAndGet();
            Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
            throw new CompletionException(cause instanceof TimeoutException
                    ? new SetupFailed(deadline.toMillis(), waiting.sends(), waiting.lookupFailures().get()) : cause);
        });
    }

    private void retryAfterTimeout(Awaited waiting, byte[] request, int attempt, long deadlineNanos) {
        long wait = Math.min(settings.timeout().toNanos(), deadlineNanos - System.nanoTime());
        if (attempt < SETUP_ATTEMPTS && wait > 0) {
            CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS).execute(() -> {
                if (!waiting.answer().isDone() && !closing) {
                    setupRetries.incrementAndGet();
                    try {
                        retry(waiting, request, attempt);
                    } finally {
                        retryAfterTimeout(waiting, request, attempt + 1, deadlineNanos);
                    }
                }
            });
        }
    }

    private void retry(Awaited waiting, byte[] request, int attempt) {
        ContactData held = held(waiting.from());
        if (held != null) {
            send(waiting, request, attempt, SetupFailed.Copy.HELD, held, null);
        }
        // a lookup of its own, not one under way: that may have started before the callee's new contact data was stored
        lookup.find(waiting.from()).whenComplete((found, failure) -> {
            if (failure == null) {
                remember(waiting.from(), found);
            }
            if (failure != null || held == null || found.issuedAtMillis() > held.issuedAtMillis()) {
                send(waiting, request, attempt, SetupFailed.Copy.LOOKED_UP, found, failure);
            }
        });
    }

    /** Sends the request of {@code waiting} on {@code data}, unless it was answered meanwhile; a failed lookup is counted. */
    private void send(Awaited waiting, byte[] request, int attempt, SetupFailed.Copy copy, ContactData data, Throwable lookupFailure) {
        if (lookupFailure != null) {
            waiting.lookupFailures().incrementAndGet();
            return;
        }
        if (waiting.answer().isDone() || closing) {
            return;
        }
        Route route = sendVia(waiting.from(), data, request, attempt);
        waiting.sends().add(SetupFailed.send(attempt, copy, data, clock.millis(), route));
    }

    /** The correspondent's contact data held now (a finished lookup, or what its last envelope named), or null. */
    private ContactData held(byte[] owner) {
        CompletableFuture<ContactData> known = cache.get(HexFormat.of().formatHex(owner));
        return known != null && known.isDone() && !known.isCompletedExceptionally() ? known.join() : null;
    }

    /**
     * Seals {@code message} to {@code to} and hands it to an exit. Attempt 0 takes the correspondent's one path (so
     * messages arrive in the order sent); a retry first moves to the callee's other entry points — an inbound tunnel is
     * longer, and rebuilt by its owner only after it learnt of the loss — then to this agent's other tunnels.
     */
    private Route sendVia(byte[] to, ContactData data, byte[] message, int attempt) {
        ExitChannel channel = channel(to, data, attempt);
        Route route = new Route(channel.tunnel(), entry(to, data, attempt));
        channel.enter(route.entry(), SignalEnvelope.seal(identity, to, data.signalKey(), clock.millis(),
                X25519.raw(signalKey.getPublic()), standingEntries(), message));
        sent.incrementAndGet();
        return route;
    }

    private Route route(byte[] to, ContactData data, int attempt) {
        return new Route(channel(to, data, attempt).tunnel(), entry(to, data, attempt));
    }

    /** The attempt's outbound tunnel, or the next one that stands if it closed (it is being rebuilt). */
    private ExitChannel channel(byte[] to, ContactData data, int attempt) {
        int first = pathIndex(to) % lookups.size() + attempt / data.entries().size();
        for (int i = 0; i < lookups.size(); i++) {
            ExitChannel channel = lookups.get((first + i) % lookups.size());
            if (!channel.tunnel().closed().isDone()) {
                return channel;
            }
        }
        return lookups.get(first % lookups.size());
    }

    private static EntryPoint entry(byte[] to, ContactData data, int attempt) {
        return data.entries().get((pathIndex(to) % data.entries().size() + attempt) % data.entries().size());
    }

    /** The route a message to {@code to} takes now (looking its contact data up if no usable copy is cached). */
    public CompletableFuture<Route> routeTo(byte[] to) {
        return contact(to).thenApply(data -> route(to, data, 0));
    }

    /**
     * The route a message to {@code to} takes after its contact data was looked up again in the storage overlay: a
     * correspondent that did not answer may have published new entry points since this agent's copy.
     */
    public CompletableFuture<Route> routeAfterLookup(byte[] to) {
        return lookAgain(to).thenApply(data -> route(to, data, 0));
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
     * The owner's contact data from the storage overlay (not the cache), unless a lookup is under way; the cache keeps
     * the newer of the copy found and the one it held (a lookup may reach a replica the latest publication missed), or
     * the one it held if the lookup failed.
     */
    private CompletableFuture<ContactData> lookAgain(byte[] owner) {
        return cache.compute(HexFormat.of().formatHex(owner), (key, known) -> {
            if (known != null && !known.isDone()) {
                return known;
            }
            CompletableFuture<ContactData> found = lookup.find(owner);
            if (known == null || known.isCompletedExceptionally()) {
                return found;
            }
            ContactData held = known.join();
            return found.handle((data, failure) -> failure == null && data.issuedAtMillis() >= held.issuedAtMillis() ? data : held);
        });
    }

    /** The entry points of the inbound tunnels that stand now (one being rebuilt is left out). */
    private List<EntryPoint> standingEntries() {
        return inbound.stream().filter(t -> !t.closed().isDone()).map(t -> new EntryPoint(t.path().getLast(), t.entryId())).toList();
    }

    /**
     * Caches the entry points an envelope named as the sender's contact data, if it is newer than the copy held: answers
     * and later messages go back the way the sender said it is reached now — its new contact data may not be stored yet
     * after it rebuilt a tunnel, and a copy looked up then names the entry points that left. A retry of {@link #call}
     * still looks the sender up, and keeps what it finds if the sender published since ({@link #remember}).
     */
    private void answerTo(SignalEnvelope envelope) {
        if (envelope.replyTo().isEmpty()) {
            return;
        }
        remember(envelope.sender(), new ContactData(envelope.replyTo(), envelope.senderSignalKey(), envelope.sentAtMillis(),
                envelope.sentAtMillis() + settings.lifetime().toMillis()));
    }

    /** Caches {@code data} as the owner's contact data unless the copy held is newer (a lookup under way is replaced). */
    private void remember(byte[] owner, ContactData data) {
        cache.compute(HexFormat.of().formatHex(owner), (key, known) ->
                known == null || !known.isDone() || known.isCompletedExceptionally()
                        || known.join().issuedAtMillis() < data.issuedAtMillis() ? CompletableFuture.completedFuture(data) : known);
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
        answerTo(envelope);
        for (Awaited waiting : awaited) {
            if (Arrays.equals(waiting.from(), envelope.sender()) && waiting.isAnswer().test(envelope.message())) {
                waiting.answer().complete(envelope.message());
            }
        }
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

    /** Attempts of {@link #call} after the first: each after a time-out without an answer, with a fresh lookup of the callee. */
    public long setupRetries() {
        return setupRetries.get();
    }

    /** Calls ({@link #call}) that got no answer by their deadline, after every attempt. */
    public long setupFailures() {
        return setupFailures.get();
    }

    /**
     * Tunnels given up because a keepalive sent through them (every 10 s, or after a lookup through them timed out) got
     * no answer; then rebuilt away from their hops.
     */
    public long keepalivesMissed() {
        return keepalivesMissed.get();
    }

    /** Lookups that timed out through a standing tunnel, whose tunnel was then pinged ({@link #suspect}). */
    public long suspected() {
        return suspected.get();
    }

    /** Suspected tunnels ({@link #suspected}) that answered the ping, so were kept: the exit was slow, not the tunnel. */
    public long cleared() {
        return cleared.get();
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
