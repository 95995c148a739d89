package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.events.BrokerEvents;
import dev.d2r2.broker.events.ForwardedGap;
import dev.d2r2.broker.events.LogDamaged;
import dev.d2r2.broker.log.LogDamage;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.ProtocolException;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.ErrorLog;
import dev.d2r2.core.files.PrivateFiles;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The FIT event broker on one node: identities, the control table, channels and their logs.
 * Transports ({@link LocalBrokerClient} in-process, {@link BrokerServer} over TLS) call it on
 * behalf of an authenticated {@link Identity}; every refusal is a {@link BrokerException} and is
 * counted by reason.
 *
 * <p>Data directory: {@code identities.json}, {@code control.json}, {@code admin.identity} (the
 * bootstrap administrator's credentials, created on first start) and {@code channels/<tag>/}
 * (logs of persistent channels).
 */
public final class Broker implements AutoCloseable {
    public static final String ADMIN = "admin";
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final Path dataDir;
    private final Clock clock;
    /** Refused TLS handshakes, logged once per reason and minute. */
    private final ErrorLog tlsRefusals;
    /** Decided commands of ordered channels refused, logged once per reason and minute. */
    private final ErrorLog orderedRefusals;
    private final PrometheusRegistry registry;
    private final BrokerMetrics metrics;
    private final IdentityStore identities;
    private final ControlTable controlTable;
    private final Map<String, ChannelRuntime> channels = new ConcurrentHashMap<>();
    /** The channels of the replicated control plane (a cluster replica's), not saved in {@code control.json}. */
    private final Set<String> replicatedTags = ConcurrentHashMap.newKeySet();
    /** The network sessions open now, so that revoking an identity ends its own. */
    private final Set<AuthenticatedSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile ReplicatedControl replicated;
    private volatile EventReplication eventReplication;
    private volatile EventForwarding eventForwarding;
    private volatile EventOrderer eventOrderer;
    /** How long a publisher on an ordered channel waits for its event to be decided before it is told to resend. */
    private static final Duration ORDERING_PATIENCE = Duration.ofSeconds(30);
    private final DecisionWaiters decisionWaiters = new DecisionWaiters(ORDERING_PATIENCE);
    private final Thread flusher;
    private final SystemChannel system;
    private volatile boolean closed;

    private Broker(Path dataDir, Clock clock, PrometheusRegistry registry) throws IOException {
        this.dataDir = dataDir;
        this.clock = clock;
        this.tlsRefusals = new ErrorLog(LOG, clock, 60_000);
        this.orderedRefusals = new ErrorLog(LOG, clock, 60_000);
        this.registry = registry;
        this.metrics = new BrokerMetrics(registry, channels::values);
        PrivateFiles.directory(dataDir);
        keepPrivate(dataDir);
        this.identities = IdentityStore.open(dataDir.resolve("identities.json"));
        this.controlTable = new ControlTable(dataDir.resolve("control.json"));
        if (identities.isEmpty()) {
            bootstrapAdmin();
        }
        for (ControlTable.Row row : controlTable.load()) {
            channels.put(row.spec().tag(), runtime(row.spec(), row.key()));
        }
        this.system = new SystemChannel(systemChannel(), clock, this::disconnectSlow);
        reportRecovery();
        this.flusher = Thread.ofPlatform().daemon().name("d2r2-log-flusher").start(this::flushLoop);
    }

    /** The broker's own channel ({@link BrokerEvents#SYSTEM_CHANNEL}), created on first start; administrators read it. */
    private ChannelRuntime systemChannel() throws IOException {
        ChannelRuntime ch = channels.get(BrokerEvents.SYSTEM_CHANNEL);
        if (ch == null) {
            ChannelSpec spec = new ChannelSpec(BrokerEvents.SYSTEM_CHANNEL,
                    ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.ALWAYS), Set.of(), Set.of());
            ch = runtime(spec, Crypto.randomBytes(Crypto.SECRET_BYTES));
            channels.put(spec.tag(), ch);
            saveControlTable();
        }
        return ch;
    }

    /** Says what log recovery cut, for every channel: a log line, the metrics, and an event on the system channel. */
    private void reportRecovery() {
        for (ChannelRuntime ch : channels.values()) {
            for (LogDamage d : ch.recovered()) {
                LOG.warn("channel {}: recovery cut {} bytes at position {} of segment {} ({}): {}{}", ch.tag(), d.bytes(),
                        d.position(), d.segment(), d.kind(),
                        d.lostOffsets() == 0 ? "no offsets lost" : "offsets " + d.fromOffset() + ".." + d.toOffset() + " lost",
                        d.quarantine() == null ? "" : "; the damaged bytes are kept in " + d.quarantine());
                metrics.logDamage(ch.tag(), d);
                reportOnSystemChannel(new LogDamaged(clock.millis(), ch.tag(), d.segment(),
                        d.kind() == LogDamage.Kind.TORN_TAIL ? LogDamaged.TORN_TAIL : LogDamaged.DAMAGED, d.position(),
                        d.bytes(), d.fromOffset(), d.toOffset(), d.quarantine()).toEvent());
            }
        }
    }

    /** Publishes on the system channel; a full disk does not keep the broker from starting, so a failure is only logged. */
    private void reportOnSystemChannel(Event e) {
        try {
            system.publish(e);
        } catch (IOException x) {
            system.health().failed("write", x);
        }
    }

    /** A data directory made before d2r2 created it 0700 is narrowed to 0700, and the change logged. */
    private static void keepPrivate(Path dataDir) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dataDir);
        if (!mode.equals(PrivateFiles.DIR_MODE)) {
            Files.setPosixFilePermissions(dataDir, PrivateFiles.DIR_MODE);
            LOG.warn("data directory {} was {}; now rwx------ (it holds secrets and unencrypted payloads)", dataDir,
                    PosixFilePermissions.toString(mode));
        }
    }

    public static Broker open(Path dataDir, Clock clock) throws IOException {
        return open(dataDir, clock, new PrometheusRegistry());
    }

    public static Broker open(Path dataDir, Clock clock, PrometheusRegistry registry) throws IOException {
        return new Broker(dataDir, clock, registry);
    }

    public Path dataDir() {
        return dataDir;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public Clock clock() {
        return clock;
    }

    public Path adminIdentityPath() {
        return dataDir.resolve("admin.identity");
    }

    private void bootstrapAdmin() throws IOException {
        IdentityFile admin = newIdentity(ADMIN, true);
        admin.save(adminIdentityPath());
        LOG.info("created administrator identity {} in {}", ADMIN, adminIdentityPath());
    }

    private IdentityFile newIdentity(String name, boolean admin) throws IOException {
        KeyPair keys = Crypto.newSigningKeyPair();
        byte[] secret = Crypto.randomBytes(Crypto.SECRET_BYTES);
        identities.add(new Identity(name, secret, keys.getPublic(), admin));
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), "", "");
    }

    /**
     * An in-process client for an identity of this broker, creating the identity if it does not
     * exist (an in-process caller is the broker's own code and needs no handshake).
     */
    public BrokerClient connectLocal(String name) {
        return new LocalBrokerClient(this, localIdentity(name, false));
    }

    /** An in-process client with the given credentials (needed to sign on PKS/PKE channels). */
    public BrokerClient connectLocal(IdentityFile file) {
        Identity id = identity(file.name());
        if (!Crypto.constantTimeEquals(id.secret(), file.secret())) {
            metrics.refused("bad_credentials");
            throw new BrokerException(ErrorCode.UNAUTHENTICATED, "wrong secret for identity " + file.name());
        }
        return new LocalBrokerClient(this, file);
    }

    /** The credentials of a local identity, created (not admin) if absent. */
    public synchronized IdentityFile localIdentity(String name, boolean admin) {
        try {
            if (identities.find(name).isEmpty()) {
                IdentityFile f = newIdentity(name, admin);
                f.save(dataDir.resolve("local").resolve(name + ".identity"));
                return f;
            }
            Path local = name.equals(ADMIN) ? adminIdentityPath() : dataDir.resolve("local").resolve(name + ".identity");
            if (!Files.exists(local)) {
                throw new BrokerException(ErrorCode.UNKNOWN_IDENTITY,
                        "identity " + name + " exists but its credentials are not on this host");
            }
            return IdentityFile.load(local);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Identity identity(String name) {
        return identities.find(name).orElseThrow(() -> {
            metrics.refused("unknown_identity");
            return new BrokerException(ErrorCode.UNKNOWN_IDENTITY, "no identity " + name);
        });
    }

    Identity authenticate(String name, byte[] nonce, byte[] proof) {
        Identity id = identities.find(name).orElse(null);
        ReplicatedControl cluster = replicated;
        if (id == null && cluster != null) {
            cluster.catchUp();
            id = identities.find(name).orElse(null);
        }
        if (id == null && identities.wasRevoked(name)) {
            // The client is told no more than for any unknown name; the operator sees why.
            metrics.refused("revoked_identity");
            LOG.info("refused a connect as revoked identity {}", name);
            throw new BrokerException(ErrorCode.UNAUTHENTICATED, "bad credentials for identity " + name);
        }
        if (id == null || !Crypto.constantTimeEquals(Crypto.authProof(id.secret(), nonce), proof)) {
            metrics.refused("bad_credentials");
            throw new BrokerException(ErrorCode.UNAUTHENTICATED, "bad credentials for identity " + name);
        }
        return id;
    }

    /**
     * Makes this broker a replica of a cluster: from now on identities and channels that callers
     * register, create or alter go to {@code control} (the replicated log), and come back through
     * {@link #applyReplicated} on every replica. This broker's own identities (its bootstrap
     * {@value #ADMIN}) and channels (its system channel, any made before it joined) stay its own.
     */
    public void replicateControl(ReplicatedControl control) {
        this.replicated = control;
    }

    /**
     * Brings the replicated identities and channels to what the cluster's control plane holds
     * (called in log order, after each committed change and on a snapshot load): a missing
     * channel is opened on its log under {@code channels/<tag>}, a changed one altered, one no
     * longer there closed (its log stays on disk: a channel created again with the tag continues
     * it, on every replica alike).
     */
    public synchronized void applyReplicated(Map<String, Identity> replicatedIdentities, Map<String, ChannelSpec> specs,
                                             Map<String, byte[]> keys) throws IOException {
        Map<String, Identity> shown = new java.util.HashMap<>(replicatedIdentities);
        shown.keySet().removeIf(name -> {
            boolean own = identities.isOwn(name);
            if (own) {
                LOG.warn("replicated identity {} ignored: this replica has an identity of its own by that name", name);
            }
            return own;
        });
        for (String name : identities.replaceReplicated(shown)) {
            LOG.info("replicated identity {} revoked", name);
            endSessionsOf(name);
        }
        for (String tag : List.copyOf(replicatedTags)) {
            if (!specs.containsKey(tag)) {
                replicatedTags.remove(tag);
                retire(channels.remove(tag));
                LOG.info("replicated channel {} deleted", tag);
            }
        }
        for (Map.Entry<String, ChannelSpec> e : specs.entrySet()) {
            ChannelRuntime ch = channels.get(e.getKey());
            if (ch == null) {
                channels.put(e.getKey(), runtime(e.getValue(), keys.get(e.getKey())));
                replicatedTags.add(e.getKey());
            } else if (!replicatedTags.contains(e.getKey())) {
                LOG.warn("replicated channel {} ignored: this replica has a channel of its own by that tag", e.getKey());
            } else if (!ch.spec().equals(e.getValue())) {
                try {
                    ch.alter(e.getValue());
                } catch (BrokerException refused) {
                    LOG.warn("replicated change of channel {} not applied here: {}", e.getKey(), refused.getMessage());
                }
            }
        }
    }

    byte[] register(Identity caller, String name, PublicKey signingKey, boolean admin) {
        requireAdmin(caller, "register identities");
        Identity.validateName(name);
        ReplicatedControl cluster = replicated;
        if (cluster != null) {
            refuseExistingIdentity(name);
            byte[] secret = Crypto.randomBytes(Crypto.SECRET_BYTES);
            cluster.addIdentity(name, secret, signingKey, admin);
            LOG.info("{} registered replicated identity {}{}", caller.name(), name, admin ? " (admin)" : "");
            return secret;
        }
        synchronized (this) {
            refuseExistingIdentity(name);
            byte[] secret = Crypto.randomBytes(Crypto.SECRET_BYTES);
            try {
                identities.add(new Identity(name, secret, signingKey, admin));
            } catch (IOException e) {
                throw new BrokerException(ErrorCode.INTERNAL, "cannot save identities: " + e.getMessage(), e);
            }
            LOG.info("{} registered identity {}{}", caller.name(), name, admin ? " (admin)" : "");
            return secret;
        }
    }

    /**
     * Submits a control command signed by an administrator to the cluster this replica belongs
     * to (a Byzantine one); the signature, not the caller, is the authority, and every replica
     * checks it. Returns what the command did once it is applied here.
     */
    String submitSigned(Identity caller, byte[] command) {
        ReplicatedControl cluster = replicated;
        if (cluster == null) {
            metrics.refused("bad_request");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "this broker is no replica of a Byzantine cluster with"
                    + " administrators (d2r2 broker --bft FILE, the file listing admins): it takes no signed control commands");
        }
        String done = cluster.submitSigned(command);
        LOG.info("{} submitted a signed control command: {}", caller.name(), done);
        return done;
    }

    /**
     * Revokes identity {@code name} (admin only): its sessions are closed, its later connects
     * refused, and it loses its rights on the channels. On a cluster replica the revocation of a
     * replicated identity goes through the log and is applied so on every replica.
     */
    void revokeIdentity(Identity caller, String name) {
        requireAdmin(caller, "revoke identities");
        if (caller.name().equals(name)) {
            metrics.refused("bad_request");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "an administrator cannot revoke its own identity "
                    + name + " (another administrator can)");
        }
        ReplicatedControl cluster = replicated;
        if (cluster != null && !identities.isOwn(name)) {
            cluster.revokeIdentity(name);
            LOG.info("{} revoked replicated identity {}", caller.name(), name);
            return;
        }
        revokeOwnIdentity(caller, name);
    }

    private synchronized void revokeOwnIdentity(Identity caller, String name) {
        identity(name);
        try {
            identities.revoke(name);
            for (ChannelRuntime ch : channels.values()) {
                ChannelSpec s = ch.spec();
                if (!replicatedTags.contains(ch.tag()) && (s.publishers().contains(name) || s.subscribers().contains(name))) {
                    ch.alter(new ChannelSpec(s.tag(), s.channelClass(), without(s.publishers(), name),
                            without(s.subscribers(), name)));
                }
            }
            saveControlTable();
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "cannot save the revocation of " + name + ": " + e.getMessage(), e);
        }
        LOG.info("{} revoked identity {}", caller.name(), name);
        endSessionsOf(name);
    }

    private static Set<String> without(Set<String> names, String name) {
        Set<String> rest = new java.util.TreeSet<>(names);
        rest.remove(name);
        return rest;
    }

    /** A session that authenticated; one whose identity was revoked while it logged in is ended at once. */
    void sessionOpened(AuthenticatedSession s) {
        sessions.add(s);
        if (identities.find(s.identityName()).isEmpty()) {
            endRevoked(s);
        }
    }

    void sessionClosed(AuthenticatedSession s) {
        sessions.remove(s);
    }

    private void endSessionsOf(String name) {
        for (AuthenticatedSession s : sessions) {
            if (s.identityName().equals(name)) {
                endRevoked(s);
            }
        }
    }

    private void endRevoked(AuthenticatedSession s) {
        if (sessions.remove(s)) {
            metrics.revokedSession();
            s.revoked(new BrokerException(ErrorCode.UNAUTHENTICATED, "identity " + s.identityName() + " was revoked"));
        }
    }

    private void refuseExistingIdentity(String name) {
        if (identities.find(name).isPresent()) {
            metrics.refused("identity_exists");
            throw new BrokerException(ErrorCode.IDENTITY_EXISTS, "identity " + name + " already exists");
        }
    }

    private void refuseExistingChannel(String tag) {
        if (channels.containsKey(tag)) {
            metrics.refused("channel_exists");
            throw new BrokerException(ErrorCode.CHANNEL_EXISTS, "channel " + tag + " already exists");
        }
    }

    void createChannel(Identity caller, ChannelSpec spec) {
        requireAdmin(caller, "create channels");
        if (spec.channelClass().durability() == Durability.ORDERED && eventOrderer == null) {
            metrics.refused("bad_request");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "channel " + spec.tag() + ": durability ordered needs a broker"
                    + " that runs a BFT replica (d2r2 broker --bft FILE --id NAME); this one runs none");
        }
        ReplicatedControl cluster = replicated;
        if (cluster != null) {
            refuseExistingChannel(spec.tag());
            cluster.createChannel(spec, Crypto.randomBytes(Crypto.SECRET_BYTES));
            LOG.info("{} created replicated channel {}", caller.name(), spec.tag());
            return;
        }
        createOwnChannel(caller, spec);
    }

    private synchronized void createOwnChannel(Identity caller, ChannelSpec spec) {
        refuseExistingChannel(spec.tag());
        try {
            channels.put(spec.tag(), runtime(spec, Crypto.randomBytes(Crypto.SECRET_BYTES)));
            saveControlTable();
        } catch (IOException e) {
            channels.remove(spec.tag());
            throw new BrokerException(ErrorCode.INTERNAL, "cannot create channel " + spec.tag() + ": " + e.getMessage(), e);
        }
        LOG.info("{} created channel {}", caller.name(), spec.tag());
    }

    void alterChannel(Identity caller, ChannelSpec spec) {
        requireAdmin(caller, "alter channels");
        ReplicatedControl cluster = replicated;
        if (cluster != null && !isOwnChannel(spec.tag())) {
            cluster.alterChannel(spec);
            LOG.info("{} altered replicated channel {}", caller.name(), spec.tag());
            return;
        }
        alterOwnChannel(caller, spec);
    }

    /**
     * Deletes channel {@code tag} (admin only): its subscribers are told, its publishers refused
     * from then on; its log stays on disk (a channel created again with the tag continues it).
     * The broker's system channel cannot be deleted. On a cluster replica the deletion of a
     * replicated channel goes through the log and is applied so on every replica.
     */
    void deleteChannel(Identity caller, String tag) {
        requireAdmin(caller, "delete channels");
        if (tag.equals(BrokerEvents.SYSTEM_CHANNEL)) {
            metrics.refused("bad_request");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "channel " + tag + " is the broker's own and cannot be deleted");
        }
        ReplicatedControl cluster = replicated;
        if (cluster != null && !isOwnChannel(tag)) {
            cluster.deleteChannel(tag);
            LOG.info("{} deleted replicated channel {}", caller.name(), tag);
            return;
        }
        deleteOwnChannel(caller, tag);
    }

    private synchronized void deleteOwnChannel(Identity caller, String tag) {
        ChannelRuntime ch = channels.remove(tag);
        if (ch == null) {
            metrics.refused("unknown_channel");
            throw new BrokerException(ErrorCode.UNKNOWN_CHANNEL, "no channel " + tag);
        }
        try {
            saveControlTable();
        } catch (IOException e) {
            channels.put(tag, ch);
            throw new BrokerException(ErrorCode.INTERNAL, "cannot save the control table: " + e.getMessage(), e);
        }
        retire(ch);
        LOG.info("{} deleted channel {}", caller.name(), tag);
    }

    /** Ends a deleted channel's subscriptions, telling each why, and closes the channel. */
    private void retire(ChannelRuntime ch) {
        BrokerException why = new BrokerException(ErrorCode.UNKNOWN_CHANNEL, "channel " + ch.tag() + " was deleted");
        for (ServerSubscription s : ch.subscribers()) {
            unsubscribe(s);
            metrics.deletedSubscription();
            s.pump.sink().ended(s, why);
        }
        try {
            ch.delete();
        } catch (IOException e) {
            LOG.error("channel {}: closing its log after its deletion failed: {}", ch.tag(), e.getMessage());
        }
    }

    /** A channel of this replica's own (its system channel, one it had before it joined a cluster). */
    private boolean isOwnChannel(String tag) {
        return channels.containsKey(tag) && !replicatedTags.contains(tag);
    }

    private synchronized void alterOwnChannel(Identity caller, ChannelSpec spec) {
        ChannelRuntime ch = channels.get(spec.tag());
        ch.alter(spec);
        try {
            saveControlTable();
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "cannot save the control table: " + e.getMessage(), e);
        }
        LOG.info("{} altered channel {}", caller.name(), spec.tag());
    }

    List<ChannelSpec> channels(Identity caller) {
        return channels.values().stream().map(ChannelRuntime::spec)
                .filter(s -> caller.admin() || s.mayPublish(caller.name()) || s.maySubscribe(caller.name()))
                .sorted(Comparator.comparing(ChannelSpec::tag)).toList();
    }

    ChannelSpec channel(Identity caller, String tag) {
        ChannelSpec s = runtime(tag).spec();
        if (!caller.admin() && !s.mayPublish(caller.name()) && !s.maySubscribe(caller.name())) {
            throw forbidden(caller, "see", tag);
        }
        return s;
    }

    ChannelRuntime openPublisher(Identity caller, String tag) {
        ChannelRuntime ch = runtime(tag);
        if (!mayPublish(caller, ch.spec())) {
            throw forbidden(caller, "publish on", tag);
        }
        return ch;
    }

    /** Returned by {@link #publish} for an event the channel took before. */
    static final long DUPLICATE = -1;

    /**
     * Checks and publishes one envelope from {@code caller}. Returns the offset; subscribers that
     * must be disconnected (overflow policy) are disconnected here.
     */
    long publish(Identity caller, SealVerifier verifier, ChannelRuntime ch, Envelope e) throws IOException {
        return publish(caller, verifier, ch, e, 0);
    }

    /**
     * As {@link #publish(Identity, SealVerifier, ChannelRuntime, Envelope)}, storing each sealed
     * event once: given the envelope's {@code fingerprint} (0: none), an event the channel took
     * before is checked, counted and not taken again ({@link #DUPLICATE}).
     */
    long publish(Identity caller, SealVerifier verifier, ChannelRuntime ch, Envelope e, long fingerprint) throws IOException {
        if (replicates(ch)) {
            awaitCommitted(caller, verifier, ch, e);
            return REPLICATED;
        }
        if (ch.ordered()) {
            metrics.refused("bad_request");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "channel " + ch.tag() + " is ordered and this broker runs no"
                    + " BFT replica to order it");
        }
        check(caller, verifier, ch, e);
        if (ch.logFailed()) {
            // Before the duplicate check: events the failed write lost are still remembered, and a
            // client that sends one again must not be told it was taken.
            throw logFailure(ch);
        }
        if (ch.forwarded()) {
            long offset = store(ch, e, true);
            EventForwarding forwarding = eventForwarding;
            if (forwarding != null) {
                // Even when another replica's copy came first: each replica forwards everything its
                // publishers gave it, so each of its links carries a publisher's events in order.
                forwarding.forward(ch.tag(), e.bytes());
            }
            return offset == ChannelRuntime.LATER_COPY ? DUPLICATE : offset;
        }
        if (fingerprint != 0 && !ch.firstTime(e, fingerprint)) {
            return DUPLICATE;
        }
        return store(ch, e, false);
    }

    /**
     * Appends and fans out an event that passed its checks (only if it is the first copy of its
     * event, on a forwarded channel: else {@link ChannelRuntime#LATER_COPY}); disconnects the
     * subscribers it overflowed.
     */
    private long store(ChannelRuntime ch, Envelope e, boolean firstCopyOnly) {
        List<ServerSubscription> slow = new ArrayList<>(0);
        long offset;
        try {
            offset = firstCopyOnly ? ch.publishFirstCopy(e, slow) : ch.publish(e, slow);
        } catch (IOException x) {
            ch.health().failed("write", x);
            throw logFailure(ch);
        }
        for (ServerSubscription s : slow) {
            disconnectSlow(s);
        }
        return offset;
    }

    /**
     * Makes this replica pass on the events its publishers give it on {@code forwarded} channels
     * to the other replicas ({@code forwarding}); they take them with {@link #takeForwarded}.
     */
    public void forwardEvents(EventForwarding forwarding) {
        this.eventForwarding = forwarding;
    }

    /**
     * Takes a copy of another publisher's event that replica {@code caller} forwarded on
     * {@code ch}. The forwarder must be an administrator (it speaks for other publishers); the
     * event passes the checks its publisher's own would (rights, protection, seal, verified with
     * the publisher's credentials), is stored once (a copy already taken, directly or from
     * another replica, is counted as a duplicate) and is not forwarded again. A refused copy is
     * counted by reason and thrown; a forwarder that is no administrator is {@code FORBIDDEN}.
     *
     * @param verifiers the caller's seal verifiers by publisher, reused across events
     */
    void takeForwarded(Identity caller, ChannelRuntime ch, Envelope e, Map<Identity, SealVerifier> verifiers) {
        if (!caller.admin()) {
            metrics.refused("forward_forbidden");
            throw new BrokerException(ErrorCode.FORBIDDEN, caller.name() + " is not an administrator and may not forward events");
        }
        takeCopy(ch, e, verifiers);
    }

    /**
     * Takes a copy of another publisher's event on {@code ch}, from a forwarding replica or from
     * another replica's log ({@link ForwardedGapFill}): checked as its publisher's own, stored
     * once. Returns its offset, or {@link ChannelRuntime#LATER_COPY} for a copy taken before.
     */
    long takeCopy(ChannelRuntime ch, Envelope e, Map<Identity, SealVerifier> verifiers) {
        if (!ch.forwarded()) {
            metrics.refused("forward_not_forwarded");
            throw new BrokerException(ErrorCode.BAD_REQUEST, "channel " + ch.tag() + " is not forwarded");
        }
        Identity publisher = identities.find(e.publisher()).orElse(null);
        if (publisher == null) {
            metrics.refused("forward_unknown_publisher");
            throw new BrokerException(ErrorCode.UNKNOWN_IDENTITY, "forwarded event " + e.sequence() + " on channel "
                    + ch.tag() + " names publisher " + e.publisher() + ", who is not registered here");
        }
        check(publisher, verifiers.computeIfAbsent(publisher, SealVerifier::new), ch, e);
        if (ch.logFailed()) {
            throw logFailure(ch);
        }
        return store(ch, e, true);
    }

    /**
     * The channels a replica catches up on from the other replicas' logs after an outage:
     * {@code forwarded}, with a log. A replica of a Raft cluster first applies the control log
     * as far as the leader has, so that it knows every such channel right after its start.
     */
    public List<String> forwardedLogChannels() {
        ReplicatedControl cluster = replicated;
        if (cluster != null) {
            cluster.catchUp();
        }
        return channels.values().stream().filter(c -> c.forwarded() && c.persistent()).map(ChannelRuntime::tag).sorted().toList();
    }

    /**
     * Starts filling the gap an outage left in forwarded channel {@code tag}'s log from the other
     * replicas' logs, asking them for what they logged from {@code margin} before this replica's
     * last event on (the margin covers the replicas' clock difference and the forwarding delay).
     */
    public ForwardedGapFill gapFill(String tag, Duration margin) throws IOException {
        ChannelRuntime ch = runtime(tag);
        if (!ch.forwarded() || !ch.persistent()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "channel " + tag + " is not forwarded with a log: nothing to catch up");
        }
        return new ForwardedGapFill(this, ch, margin.toMillis(), metrics.caughtUp(tag), metrics.catchUpFailures(tag));
    }

    /**
     * The repairs a running replica's forwarded channels need: for each channel with a log, the
     * ranges of sequence numbers it saw skipped at least {@code settle} ago (a copy that another
     * path still brings closes a range sooner), to be read from the other replicas' logs from
     * {@code margin} before the event that preceded each. Ranges given up to keep the table
     * bounded are reported missing now.
     */
    public List<ForwardedGapRepair> gapRepairs(Duration settle, Duration margin) {
        long seenBy = clock.millis() - settle.toMillis();
        List<ForwardedGapRepair> repairs = new ArrayList<>();
        for (ChannelRuntime ch : channels.values()) {
            if (!ch.forwarded() || !ch.persistent()) {
                continue;
            }
            for (ForwardedGaps.Gap g : ch.abandonedGaps()) {
                reportGap(ch.tag(), g.publisher(), g.from(), g.to());
            }
            List<ForwardedGaps.Gap> gaps = ch.gapsSeenBy(seenBy);
            if (!gaps.isEmpty()) {
                repairs.add(new ForwardedGapRepair(this, ch, gaps, margin.toMillis(), metrics.repaired(ch.tag()),
                        metrics.catchUpFailures(ch.tag())));
            }
        }
        return repairs;
    }

    /**
     * Counts and logs (once per reason and minute) a connection whose TLS handshake failed: a
     * client or replica speaking plain text or an old protocol, a scanner, a peer that hung up.
     */
    void tlsHandshakeFailed(String from, IOException why) {
        String reason = TlsRefusal.reason(why);
        metrics.tlsHandshakeFailed(reason);
        tlsRefusals.warn(reason, "TLS handshake with " + from + " failed (" + reason + "): " + why.getMessage());
    }

    /** Says that a gap fill could not find a publisher's events: a log line, the metric, an event on the system channel. */
    void reportGap(String tag, String publisher, long fromSequence, long toSequence) {
        ForwardedGap gap = new ForwardedGap(clock.millis(), tag, publisher, fromSequence, toSequence);
        LOG.warn("channel {}: events {}..{} of publisher {} are in no other replica's log within reach; {} missing here",
                tag, fromSequence, toSequence, publisher, gap.lost());
        metrics.forwardedGap(tag).inc(gap.lost());
        reportOnSystemChannel(gap.toEvent());
    }

    /** Returned by {@link #publish} for an event committed through the cluster's log (its offset is taken when it is applied). */
    static final long REPLICATED = -2;

    /**
     * Makes this replica send the events of its {@code replicated} channels through the
     * cluster's log ({@code replication}); every replica then applies them with {@link #applyCommitted}.
     */
    public void replicateEvents(EventReplication replication) {
        this.eventReplication = replication;
    }

    /** Whether events published on {@code ch} go through the cluster's log or its BFT orderer. */
    boolean replicates(ChannelRuntime ch) {
        if (ch.ordered()) {
            return eventOrderer != null;
        }
        return eventReplication != null && ch.spec().channelClass().durability() == Durability.REPLICATED
                && replicatedTags.contains(ch.tag());
    }

    /**
     * Checks an event for a replicated channel and appends it to the cluster's log, or for an
     * ordered channel submits it to the BFT orderer; {@code done} is told once.
     */
    void publishReplicated(Identity caller, SealVerifier verifier, ChannelRuntime ch, Envelope e, EventReplication.Outcome done) {
        check(caller, verifier, ch, e);
        if (ch.ordered()) {
            if (!eventOrderer.submit(OrderedCommand.encode(ch.tag(), e))) {
                metrics.refused("orderer_full");
                throw new BrokerException(ErrorCode.LIMIT, "channel " + ch.tag() + ": the BFT orderer's queue is full;"
                        + " send event " + e.sequence() + " again later");
            }
            decisionWaiters.await(ch.tag(), e.publisher(), e.sequence(), e.payloadFingerprint(new CRC32C()), done);
            return;
        }
        eventReplication.append(ch.tag(), Arrays.copyOfRange(e.array(), e.offset(), e.offset() + e.length()), done);
    }

    private void awaitCommitted(Identity caller, SealVerifier verifier, ChannelRuntime ch, Envelope e) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        publishReplicated(caller, verifier, ch, e, new EventReplication.Outcome() {
            @Override
            public void committed() {
                outcome.complete(null);
            }

            @Override
            public void failed(String reason) {
                outcome.complete(reason);
            }
        });
        String failure = outcome.join();
        if (failure != null) {
            throw new BrokerException(ErrorCode.INTERNAL, "channel " + ch.tag() + ": event " + e.sequence()
                    + " not committed: " + failure);
        }
    }

    /**
     * Applies the events of committed Raft log entry {@code raftIndex} to replicated channel
     * {@code tag}: called on every replica in log order (see {@link ChannelRuntime#applyCommitted}).
     */
    public void applyCommitted(String tag, long raftIndex, long time, List<byte[]> envelopes) throws IOException {
        ChannelRuntime ch = channels.get(tag);
        if (ch == null || !replicatedTags.contains(tag)) {
            LOG.warn("Raft log entry {}: events for {}, which is not a replicated channel here; skipped", raftIndex, tag);
            return;
        }
        List<ServerSubscription> slow = new ArrayList<>(0);
        ch.applyCommitted(raftIndex, time, envelopes, slow);
        for (ServerSubscription s : slow) {
            disconnectSlow(s);
        }
    }

    /**
     * Makes this replica of a Byzantine cluster order the events of its {@code ordered} channels
     * with {@code orderer}; each decided block is applied with {@link #applyOrdered}. Set before
     * the orderer starts and before clients connect.
     */
    public void orderEvents(EventOrderer orderer) {
        orderer.onDecided(this::applyOrdered);
        this.eventOrderer = orderer;
    }

    /**
     * Applies decided block {@code height}: its commands in order, each trusted for nothing (a
     * Byzantine leader proposes any bytes). A command that does not parse, names no ordered
     * channel here or an unregistered publisher, lacks the rights, the channel's protection or a
     * valid seal is refused and counted; an event the channel took within its window (a replay)
     * is counted as a duplicate; the rest are appended with the height as their stamp. Every
     * step depends only on the block and this replica's control table, so correct replicas with
     * the same table take the same events at the same offsets.
     */
    void applyOrdered(long height, List<byte[]> commands) {
        CRC32C crc = new CRC32C();
        List<ServerSubscription> slow = new ArrayList<>(0);
        Set<ChannelRuntime> touched = new HashSet<>();
        Map<Identity, SealVerifier> verifiers = new HashMap<>();
        for (byte[] command : commands) {
            OrderedCommand c;
            try {
                c = OrderedCommand.parse(command);
            } catch (ProtocolException bad) {
                refuseOrdered(height, "ordered_malformed", bad.getMessage());
                continue;
            }
            ChannelRuntime ch = channels.get(c.tag());
            if (ch == null || !ch.ordered()) {
                refuseOrdered(height, "ordered_unknown_channel", "no ordered channel " + c.tag());
                continue;
            }
            Envelope e = c.envelope();
            Identity publisher = identities.find(e.publisher()).orElse(null);
            if (publisher == null) {
                refuseOrdered(height, "ordered_unknown_publisher", "publisher " + e.publisher() + " is not registered");
                continue;
            }
            try {
                check(publisher, verifiers.computeIfAbsent(publisher, SealVerifier::new), ch, e);
            } catch (BrokerException refused) {
                refuseOrdered(height, "ordered_refused", refused.getMessage());
                continue;
            }
            if (ch.logFailed()) {
                refuseOrdered(height, "ordered_log_failed", "channel " + ch.tag() + ": its log failed a write");
                continue;
            }
            try {
                ch.applyOrdered(e, height, crc, slow);
            } catch (IOException x) {
                ch.health().failed("write", x);
                continue;
            }
            touched.add(ch);
            decisionWaiters.taken(ch.tag(), e.publisher(), e.sequence(), e.payloadFingerprint(crc));
        }
        for (ChannelRuntime ch : touched) {
            try {
                ch.flushLog();
            } catch (IOException x) {
                ch.health().failed("write", x);
            }
        }
        for (ServerSubscription s : slow) {
            disconnectSlow(s);
        }
    }

    private void refuseOrdered(long height, String reason, String why) {
        metrics.refused(reason);
        orderedRefusals.warn(reason, "decided block " + height + ": a command refused (" + reason + "): " + why);
    }

    /** The checks every published event passes: rights, publisher, protection and seal. */
    private void check(Identity caller, SealVerifier verifier, ChannelRuntime ch, Envelope e) {
        if (ch.deleted()) {
            metrics.refused("unknown_channel");
            throw new BrokerException(ErrorCode.UNKNOWN_CHANNEL, "channel " + ch.tag() + " was deleted");
        }
        ChannelSpec spec = ch.spec();
        if (!mayPublish(caller, spec)) {
            throw forbidden(caller, "publish on", spec.tag());
        }
        if (!caller.name().equals(e.publisher())) {
            metrics.refused("impersonation");
            throw new BrokerException(ErrorCode.FORBIDDEN, caller.name() + " published an event signed as "
                    + e.publisher() + " on channel " + spec.tag());
        }
        Protection want = spec.channelClass().protection();
        if (e.protection() != want) {
            metrics.refused("integrity");
            throw new BrokerException(ErrorCode.INTEGRITY, "channel " + spec.tag() + " requires protection " + want
                    + ", the event has " + e.protection());
        }
        if (want != Protection.SI && !verifier.verify(ch.channelPrefix(), e)) {
            metrics.refused("integrity");
            throw new BrokerException(ErrorCode.INTEGRITY, "event " + e.sequence() + " from " + caller.name()
                    + " on channel " + spec.tag() + " fails its " + want + " check");
        }
    }

    /** The refusal for a publisher on a channel whose log failed a write, counted. */
    BrokerException logFailure(ChannelRuntime ch) {
        if (ch.logFull()) {
            metrics.refused("disk_full");
            return new BrokerException(ErrorCode.DISK_FULL, "channel " + ch.tag() + ": the broker's disk is full; it"
                    + " stores no more events until space is freed and it is restarted (reads go on)");
        }
        return new BrokerException(ErrorCode.INTERNAL, "channel " + ch.tag() + ": its log failed a write and takes no"
                + " more events until the broker is restarted");
    }

    private void disconnectSlow(ServerSubscription s) {
        s.channel.unsubscribe(s);
        s.pump.remove(s);
        LOG.info("channel {}: disconnected a subscriber whose queue of {} events was full", s.channel.tag(),
                s.channel.spec().channelClass().queueCapacity());
        s.pump.sink().ended(s, new BrokerException(ErrorCode.DISCONNECTED, "subscriber too slow: its queue of "
                + s.channel.spec().channelClass().queueCapacity() + " events on channel " + s.channel.tag() + " was full"));
    }

    /**
     * Attaches a subscription to its channel; events queue from now on. The caller starts
     * delivery with {@code pump.add} (after answering, over the network, so that the answer
     * comes first).
     */
    ServerSubscription subscribe(Identity caller, String tag, StartPosition start, DeliveryPump pump, int id) {
        ChannelRuntime ch = runtime(tag);
        if (!caller.admin() && !ch.spec().maySubscribe(caller.name())) {
            throw forbidden(caller, "subscribe to", tag);
        }
        try {
            return ch.subscribe(id, pump, start);
        } catch (BrokerException e) {
            metrics.refused(e.code().name().toLowerCase());
            throw e;
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "cannot read the log of " + tag + ": " + e.getMessage(), e);
        }
    }

    void unsubscribe(ServerSubscription sub) {
        sub.channel.unsubscribe(sub);
        sub.pump.remove(sub);
    }

    BrokerMetrics metrics() {
        return metrics;
    }

    double refusals(String reason) {
        return metrics.refusals(reason);
    }

    /**
     * Reads a persistent channel's log on the caller's thread, from the first record at or after
     * {@code sinceMillis} (broker time) to the end the log has now: what {@code d2r2 replay} reads.
     *
     * @throws BrokerException UNKNOWN_CHANNEL, or NOT_PERSISTENT when the channel keeps no log
     */
    public RecordedChannel readLog(String tag, long sinceMillis) throws IOException {
        return runtime(tag).read(sinceMillis);
    }

    /** What a channel's log holds now; null when it is empty (throws as {@link #readLog}). */
    public LogSpan logSpan(String tag) throws IOException {
        return runtime(tag).logSpan();
    }

    /** The same, for a client: it must be allowed to subscribe to the channel. */
    LogSpan logSpan(Identity caller, String tag) {
        ChannelRuntime ch = runtime(tag);
        if (!caller.admin() && !ch.spec().maySubscribe(caller.name())) {
            throw forbidden(caller, "read the log of", tag);
        }
        try {
            return ch.logSpan();
        } catch (BrokerException e) {
            metrics.refused(e.code().name().toLowerCase());
            throw e;
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "cannot read the log of " + tag + ": " + e.getMessage(), e);
        }
    }

    /** Never called holding this broker's lock: a replica's catch-up waits for the apply thread, which takes it. */
    private ChannelRuntime runtime(String tag) {
        ChannelRuntime ch = channels.get(tag);
        ReplicatedControl cluster = replicated;
        if (ch == null && cluster != null) {
            cluster.catchUp();
            ch = channels.get(tag);
        }
        if (ch == null) {
            metrics.refused("unknown_channel");
            throw new BrokerException(ErrorCode.UNKNOWN_CHANNEL, "no channel " + tag);
        }
        return ch;
    }

    private ChannelRuntime runtime(ChannelSpec spec, byte[] key) throws IOException {
        return new ChannelRuntime(spec, key, dataDir.resolve("channels").resolve(spec.tag()), clock, metrics);
    }

    /** Administrators may use every channel: they could grant themselves the right anyway. */
    private static boolean mayPublish(Identity caller, ChannelSpec spec) {
        return caller.admin() || spec.mayPublish(caller.name());
    }

    private void requireAdmin(Identity caller, String what) {
        if (!caller.admin()) {
            metrics.refused("forbidden");
            throw new BrokerException(ErrorCode.FORBIDDEN, caller.name() + " is not an administrator and may not " + what);
        }
    }

    private BrokerException forbidden(Identity caller, String what, String tag) {
        metrics.refused("forbidden");
        return new BrokerException(ErrorCode.FORBIDDEN, caller.name() + " may not " + what + " channel " + tag);
    }

    private void saveControlTable() throws IOException {
        controlTable.save(channels.values().stream().filter(c -> !replicatedTags.contains(c.tag()))
                .map(c -> new ControlTable.Row(c.spec(), c.key())).toList());
    }

    private void flushLoop() {
        Map<ChannelRuntime, Long> lastSync = new java.util.HashMap<>();
        while (!closed) {
            long now = System.nanoTime();
            for (ChannelRuntime ch : channels.values()) {
                FsyncPolicy p = ch.spec().channelClass().fsync();
                if (p.kind() != FsyncPolicy.Kind.INTERVAL) {
                    continue;
                }
                long last = lastSync.getOrDefault(ch, 0L);
                if (now - last >= p.interval().toNanos()) {
                    try {
                        ch.sync();
                        ch.health().works();
                    } catch (IOException e) {
                        ch.health().failed("fsync", e);
                    }
                    lastSync.put(ch, now);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        flusher.interrupt();
        for (ChannelRuntime ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.error("channel {}: close failed: {}", ch.tag(), e.getMessage());
            }
        }
    }
}
