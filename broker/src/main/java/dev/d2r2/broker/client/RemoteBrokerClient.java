package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The network transport: TLS 1.3 to a {@code BrokerServer}, pinned to each broker's certificate
 * in the identity file, wire format of {@code Frames}. Publishing is pipelined (frames are batched
 * and flushed by a flusher thread when the publisher pauses, see {@link ClientWriter}). Handlers
 * run on the connection's reader thread ({@link ClientReader}), so a slow handler stops the
 * reading, TCP fills, and the broker's overflow policy takes over (back-pressure); a handler must
 * therefore not wait for this client's own acknowledgements.
 *
 * <p>Failover: when the connection breaks (or the broker says it is {@link ErrorCode#UNAVAILABLE}),
 * a failover thread connects to the next replica of the list, then the next, with the waits of
 * the {@link FailoverPolicy}, authenticates, reopens every publisher and sends its
 * unacknowledged events again with their sequence numbers (the broker stores each once), and
 * resumes every subscription (see {@link RemoteSubscription}). Meanwhile publishing goes on into
 * the publishers' resend buffers and control requests wait. Requests that cannot have taken
 * effect (refused as unavailable) and requests that change nothing are sent again; one lost in
 * flight that changes something (register, create or alter a channel) fails with
 * {@link ErrorCode#DISCONNECTED}, since it may have been done.
 */
public final class RemoteBrokerClient implements BrokerClient {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteBrokerClient.class);

    private final IdentityFile credentials;
    private final List<BrokerReplica> replicas;
    private final ClientSettings settings;
    private final Backoff backoff;
    private final AtomicInteger ids = new AtomicInteger();
    private final Set<RemotePublisher> publishers = ConcurrentHashMap.newKeySet();
    private final Map<Integer, RemoteSubscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private final AtomicLong duplicatesDropped = new AtomicLong();
    /** Guards current, closed and failure; notified when current changes. */
    private final Object state = new Object();
    private Connection current;
    private boolean closed;
    private BrokerException failure;
    private volatile Thread failoverThread;
    private volatile long lastOutageNanos;

    private RemoteBrokerClient(IdentityFile credentials, List<BrokerReplica> replicas, ClientSettings settings) {
        this.credentials = credentials;
        this.replicas = List.copyOf(replicas);
        this.settings = settings;
        this.backoff = new Backoff(settings.failover(), ThreadLocalRandom.current());
    }

    /** Connects to the brokers named in the identity file, the first that answers, and fails over among them. */
    public static RemoteBrokerClient connect(IdentityFile id) throws IOException {
        return connect(id, id.replicas(), ClientSettings.DEFAULT);
    }

    /** Connects to the broker at {@code address} only (reconnecting to it if the connection breaks). */
    public static RemoteBrokerClient connect(IdentityFile id, InetSocketAddress address) throws IOException {
        return connect(id, address, Duration.ZERO);
    }

    /** As {@link #connect(IdentityFile, InetSocketAddress)}, with a publish linger (see {@link #connect(IdentityFile, List, ClientSettings)}). */
    public static RemoteBrokerClient connect(IdentityFile id, InetSocketAddress address, Duration linger) throws IOException {
        return connect(id, id.replicasAt(List.of(address.getHostString() + ":" + address.getPort())),
                ClientSettings.DEFAULT.withLinger(linger));
    }

    /**
     * Connects to the first of {@code replicas} that answers (each tried once, in order) and fails
     * over among them. The settings' {@code linger}: events published within this time of the
     * first unwritten one go out in one TLS record and one system call. For steady streams of
     * small events (a monitor's samples) a few milliseconds save much CPU; latency-sensitive
     * publishers keep the default, zero.
     */
    public static RemoteBrokerClient connect(IdentityFile id, List<BrokerReplica> replicas, ClientSettings settings)
            throws IOException {
        if (replicas.isEmpty()) {
            throw new IOException("identity " + id.name() + " names no broker; start `d2r2 broker` or give an address");
        }
        RemoteBrokerClient client = new RemoteBrokerClient(id, replicas, settings);
        IOException unreachable = null;
        for (BrokerReplica r : replicas) {
            try {
                client.current = client.open(r, CONNECT_TIMEOUT);
                return client;
            } catch (IOException e) {
                if (unreachable == null) {
                    unreachable = e;
                } else {
                    unreachable.addSuppressed(e);
                }
            } catch (BrokerException e) {
                if (replicas.size() == 1) {
                    throw e;
                }
                IOException refused = new IOException(r.address() + ": " + e.getMessage(), e);
                if (unreachable == null) {
                    unreachable = refused;
                } else {
                    unreachable.addSuppressed(refused);
                }
            }
        }
        throw unreachable;
    }

    /** How long a first connection may take to be established and authenticated. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The least a failover attempt is given, however little patience is left. */
    private static final Duration ATTEMPT_MIN = Duration.ofSeconds(1);

    /**
     * Connects to {@code r}, each step within {@code timeout}: a replica that accepts but does
     * not answer (its process stopped, its listener closing) costs a failover no more than that.
     */
    private Connection open(BrokerReplica r, Duration timeout) throws IOException {
        return Connection.open(credentials, r, timeout, settings.linger(), ids, subscriptions, this::lost);
    }

    @Override
    public String identity() {
        return credentials.name();
    }

    /** The address of the broker the client is connected to; null while it fails over or after it failed. */
    public String address() {
        synchronized (state) {
            return current == null ? null : current.replica.address();
        }
    }

    /** How many times the client lost its broker and connected to one again. */
    public long failovers() {
        return failovers.get();
    }

    /** Connection attempts made while failing over (each replica tried counts once). */
    public long reconnectAttempts() {
        return attempts.get();
    }

    /** Events sent again after failovers (the broker stores those it had once). */
    public long resentEvents() {
        return resent.get();
    }

    /** Events a broker sent again after a failover and the client dropped, having delivered them before. */
    public long duplicatesDropped() {
        return duplicatesDropped.get();
    }

    /** A subscription dropped an event it had delivered before (reader thread). */
    void droppedDuplicate() {
        duplicatesDropped.incrementAndGet();
    }

    /** How long the last failover took, from the loss of the connection to the next one working. */
    public Duration lastOutage() {
        return Duration.ofNanos(lastOutageNanos);
    }

    @Override
    public byte[] register(String name, PublicKey signingKey, boolean admin) {
        return call(new ControlRequest.Register(name, signingKey == null ? null : signingKey.getEncoded(), admin),
                ControlReply.Registered.class, false).secret();
    }

    @Override
    public void createChannel(ChannelSpec spec) {
        call(new ControlRequest.CreateChannel(ChannelConfig.of(spec)), ControlReply.Done.class, false);
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        call(new ControlRequest.AlterChannel(ChannelConfig.of(spec)), ControlReply.Done.class, false);
    }

    @Override
    public void deleteChannel(String tag) {
        call(new ControlRequest.DeleteChannel(tag), ControlReply.Done.class, false);
    }

    @Override
    public void revokeIdentity(String name) {
        call(new ControlRequest.RevokeIdentity(name), ControlReply.Done.class, false);
    }

    @Override
    public String submitSigned(byte[] signedCommand) {
        return call(new ControlRequest.SignedControl(signedCommand), ControlReply.Applied.class, false).message();
    }

    @Override
    public List<ChannelSpec> channels() {
        return call(new ControlRequest.ListChannels(), ControlReply.ChannelList.class, true).channels().stream()
                .map(ChannelConfig::toSpec).toList();
    }

    @Override
    public ChannelSpec channel(String tag) {
        return call(new ControlRequest.ShowChannel(tag), ControlReply.ChannelShown.class, true).channel().toSpec();
    }

    @Override
    public LogSpan logSpan(String tag) {
        return call(new ControlRequest.ReadLogSpan(tag), ControlReply.LogSpanRead.class, true).span();
    }

    @Override
    public Publisher publisher(String tag) {
        while (true) {
            Connection c = connection();
            ControlReply.PublisherOpened r;
            try {
                r = c.requests.call(new ControlRequest.OpenPublisher(tag), ControlReply.PublisherOpened.class);
            } catch (BrokerException e) {
                if (retry(c, e, true)) {
                    continue;
                }
                throw e;
            }
            ChannelSealer sealer = new ChannelSealer(tag, r.protection(), credentials.name(), credentials.secret(),
                    credentials.signingKey(), r.key());
            RemotePublisher pub = new RemotePublisher(tag, sealer, this);
            synchronized (state) {
                if (current == c) {
                    // Registered before the connection can be lost again, so that a failover reopens it.
                    publishers.add(pub);
                    pub.relink(c, r.handle());
                    return pub;
                }
            }
        }
    }

    /**
     * A link that forwards other publishers' sealed envelopes of channel {@code tag} to this
     * client's broker: a replica forwarding the events of a {@code forwarded} channel. This
     * client's identity must be an administrator at that broker.
     */
    public EnvelopeForwarder forwarder(String tag) {
        return new EnvelopeForwarder(tag, this);
    }

    /** A publisher handle on {@code tag} on the working connection, for an {@link EnvelopeForwarder}. */
    EnvelopeForwarder.Link openForwarding(String tag) {
        Connection c = connection();
        ControlReply.PublisherOpened r = c.requests.call(new ControlRequest.OpenPublisher(tag),
                ControlReply.PublisherOpened.class);
        return new EnvelopeForwarder.Link(c, r.handle());
    }

    @Override
    public Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler) {
        return confirm(new RemoteSubscription(tag, handler, null, null, ids.incrementAndGet(), start, this));
    }

    /**
     * Subscribes for a voted subscriber, who may switch the subscription between whole events
     * (to {@code handler}) and digest copies (to {@code digests}: each event's publisher,
     * sequence number and payload digest) with {@link #copies}; {@code digestsFirst} says which
     * it starts with. Digests are refused on PKE channels.
     */
    RemoteSubscription subscribeVoting(String tag, StartPosition start, DeliveryHandler handler,
                                       RemoteSubscription.DigestSink digests, boolean digestsFirst) {
        RemoteSubscription sub = new RemoteSubscription(tag, handler, null, digests, ids.incrementAndGet(), start, this);
        sub.digests(digestsFirst);
        return confirm(sub);
    }

    /**
     * Switches {@code s} to digest copies, or to whole events sending again, whole and first,
     * those from offset {@code resendFrom} (-1: none) that the broker sent as digests and still
     * holds. Blocks for the broker's answer: never call it on a reader thread.
     */
    void copies(RemoteSubscription s, boolean digests, long resendFrom) {
        s.digests(digests);
        connection().requests.call(new ControlRequest.Copies(s.id(), digests, resendFrom < 0 ? null : resendFrom),
                ControlReply.Done.class);
    }

    /**
     * Subscribes to the sealed envelopes of {@code tag} as its broker stored them, unopened: a
     * replica reading another's log to catch up ({@link ForwardedCatchUp}).
     */
    RemoteSubscription subscribeEnvelopes(String tag, StartPosition start, RemoteSubscription.EnvelopeSink sink) {
        return confirm(new RemoteSubscription(tag, d -> { }, sink, null, ids.incrementAndGet(), start, this));
    }

    private RemoteSubscription confirm(RemoteSubscription sub) {
        subscriptions.put(sub.id(), sub);
        try {
            while (true) {
                Connection c = connection();
                try {
                    sub.open(c);
                } catch (BrokerException e) {
                    if (retry(c, e, true)) {
                        continue;
                    }
                    throw e;
                }
                synchronized (state) {
                    if (current == c) {
                        sub.confirmed();
                        return sub;
                    }
                }
            }
        } catch (RuntimeException e) {
            subscriptions.remove(sub.id());
            throw e;
        }
    }

    private <R extends ControlReply> R call(ControlRequest request, Class<R> type, boolean changesNothing) {
        while (true) {
            Connection c = connection();
            try {
                return c.requests.call(request, type);
            } catch (BrokerException e) {
                if (!retry(c, e, changesNothing)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Whether a request that failed with {@code e} on {@code c} is to be sent again: refused as
     * unavailable (then the client fails over first), or lost with its connection and safe to repeat.
     */
    private boolean retry(Connection c, BrokerException e, boolean safeToRepeat) {
        if (e.code() == ErrorCode.UNAVAILABLE) {
            lost(c, e);
            return settings.failover().enabled();
        }
        return e.code() == ErrorCode.DISCONNECTED && safeToRepeat && c.failure() != null && settings.failover().enabled();
    }

    /** The working connection, waiting while the client fails over; throws once it has given up or is closed. */
    private Connection connection() {
        long patience = settings.failover().giveUpAfter().toMillis() + 10_000;
        long deadline = System.currentTimeMillis() + patience;
        synchronized (state) {
            while (current == null) {
                if (failure != null) {
                    throw failure;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new BrokerException(ErrorCode.DISCONNECTED, "no broker within " + patience + " ms");
                }
                try {
                    state.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException(ErrorCode.DISCONNECTED, "interrupted");
                }
            }
            return current;
        }
    }

    /** The connection {@code c} broke (any of its threads, or a publisher's write): fail over, once. */
    void lost(Connection c, BrokerException e) {
        boolean failOver;
        synchronized (state) {
            if (c != current || closed) {
                return;
            }
            current = null;
            failOver = settings.failover().enabled();
            if (failOver) {
                Thread t = Thread.ofPlatform().daemon().name("d2r2-client-failover").unstarted(() -> failOver(c, e));
                failoverThread = t;
                t.start();
            }
        }
        if (!failOver) {
            c.close(e);
            giveUp(e);
        }
    }

    private void failOver(Connection lost, BrokerException cause) {
        long began = settings.clock().nanos();
        lost.close(cause);
        lost.awaitReader();
        LOG.warn("lost broker {}: {}; failing over", lost.replica.address(), cause.getMessage());
        settings.listener().connectionLost(lost.replica.address(), cause);
        long giveUpNanos = settings.failover().giveUpAfter().toNanos();
        int first = replicas.indexOf(lost.replica) + 1;
        BrokerException last = cause;
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0 && settings.clock().nanos() - began >= giveUpNanos) {
                giveUp(new BrokerException(last.code(), "no broker answered within " + settings.failover().giveUpAfter()
                        + "; last: " + last.getMessage(), last));
                return;
            }
            long wait = backoff.delayNanos(attempt);
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
            synchronized (state) {
                if (closed) {
                    return;
                }
            }
            BrokerReplica r = replicas.get(Math.floorMod(first + attempt, replicas.size()));
            attempts.incrementAndGet();
            Connection c = null;
            try {
                long left = giveUpNanos - (settings.clock().nanos() - began);
                c = open(r, Duration.ofNanos(Math.clamp(left, ATTEMPT_MIN.toNanos(), CONNECT_TIMEOUT.toNanos())));
                restore(c);
                if (adopt(c)) {
                    long outage = settings.clock().nanos() - began;
                    lastOutageNanos = outage;
                    failovers.incrementAndGet();
                    LOG.warn("failed over from {} to {} in {} ms", lost.replica.address(), r.address(), outage / 1_000_000);
                    settings.listener().failedOver(lost.replica.address(), r.address(), Duration.ofNanos(outage));
                }
                return;
            } catch (IOException e) {
                last = ClientWriter.lost(e);
            } catch (BrokerException e) {
                last = e;
            }
            LOG.info("failover to {} failed: {}", r.address(), last.getMessage());
            if (c != null) {
                c.close(last);
            }
        }
    }

    /** Makes {@code c} the client's connection, unless the client closed meanwhile or {@code c} broke already. */
    private boolean adopt(Connection c) {
        synchronized (state) {
            if (closed) {
                c.close(new BrokerException(ErrorCode.DISCONNECTED, "client closed"));
                return false;
            }
            if (c.failure() != null) {
                throw c.failure();
            }
            current = c;
            state.notifyAll();
            return true;
        }
    }

    /** Reopens every publisher (sending its unacknowledged events again) and every subscription on {@code c}. */
    private void restore(Connection c) {
        for (RemotePublisher p : publishers) {
            ControlReply.PublisherOpened r;
            try {
                r = c.requests.call(new ControlRequest.OpenPublisher(p.channel()), ControlReply.PublisherOpened.class);
            } catch (BrokerException e) {
                if (replicaWide(e)) {
                    throw e;
                }
                LOG.warn("channel {}: publisher not reopened after failover: {}", p.channel(), e.getMessage());
                publishers.remove(p);
                p.failed(e);
                continue;
            }
            resent.addAndGet(p.relink(c, r.handle()));
            if (!publishers.contains(p)) {
                closed(p, c, r.handle());
            }
        }
        for (RemoteSubscription s : subscriptions.values()) {
            if (!s.isConfirmed()) {
                continue;
            }
            try {
                s.open(c);
            } catch (BrokerException e) {
                if (replicaWide(e)) {
                    throw e;
                }
                LOG.warn("channel {}: subscription not resumed after failover: {}", s.channel(), e.getMessage());
                subscriptions.remove(s.id());
                s.ended(e);
                continue;
            }
            if (!subscriptions.containsKey(s.id())) {
                unsubscribe(s, c);
            }
        }
    }

    /** A refusal that says this replica cannot serve the client now (another may), not that the request is wrong. */
    private static boolean replicaWide(BrokerException e) {
        return switch (e.code()) {
            case UNAVAILABLE, DISCONNECTED, LIMIT, UNAUTHENTICATED, UNKNOWN_IDENTITY, INTERNAL -> true;
            default -> false;
        };
    }

    private void giveUp(BrokerException e) {
        synchronized (state) {
            if (failure == null) {
                failure = e;
            }
            state.notifyAll();
        }
        publishers.forEach(p -> p.failed(e));
        publishers.clear();
        for (RemoteSubscription s : subscriptions.values()) {
            s.ended(e);
        }
        subscriptions.clear();
        settings.listener().gaveUp(e);
    }

    /** A publisher closed: stop tracking it and close its handle on the broker, if it has one there. */
    void closed(RemotePublisher p) {
        if (!publishers.remove(p)) {
            return;
        }
        Connection c;
        synchronized (state) {
            c = current;
        }
        int handle = c == null ? -1 : p.handleOn(c);
        if (handle >= 0) {
            closed(p, c, handle);
        }
    }

    /** Closes {@code p}'s handle on {@code c} (a publisher closed while the client failed over, too). */
    private static void closed(RemotePublisher p, Connection c, int handle) {
        c.publishers.remove(handle);
        try {
            c.requests.call(new ControlRequest.ClosePublisher(handle), ControlReply.Done.class);
        } catch (BrokerException e) {
            LOG.debug("close publisher on {}: {}", p.channel(), e.getMessage());
        }
    }

    /** A subscription closed: unsubscribe on the current connection. */
    void closed(RemoteSubscription s) {
        if (subscriptions.remove(s.id()) == null) {
            return;
        }
        Connection c;
        synchronized (state) {
            c = current;
        }
        if (c != null) {
            unsubscribe(s, c);
        }
    }

    private static void unsubscribe(RemoteSubscription s, Connection c) {
        try {
            c.requests.call(new ControlRequest.Unsubscribe(s.id()), ControlReply.Done.class);
        } catch (BrokerException e) {
            LOG.debug("unsubscribe from {}: {}", s.channel(), e.getMessage());
        }
    }

    @Override
    public void close() {
        for (RemotePublisher p : publishers) {
            p.drain();
        }
        Connection c;
        BrokerException why = new BrokerException(ErrorCode.DISCONNECTED, "client closed");
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            state.notifyAll();
        }
        Thread t = failoverThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        if (c != null) {
            c.close(why);
        }
        giveUp(why);
    }
}
