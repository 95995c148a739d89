package dev.d2r2.cluster.broker;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.ReplicatedControl;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.MalformedCommandException;
import dev.d2r2.cluster.command.SignedCommand;
import dev.d2r2.cluster.config.Administrator;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.state.ControlState;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The control plane of a Byzantine cluster's replica: control commands signed by an
 * administrator are ordered with the cluster's events (basic HotStuff, module {@code bft}), and
 * every correct replica applies the decided ones in the decided order to its {@link ControlState}
 * — the same deterministic code as a Raft replica — then brings its broker to that state.
 *
 * <p>A decided command is trusted for nothing (a Byzantine leader proposes any bytes): it must
 * decode, be signed by an administrator — one of the cluster file's {@code admins}, or an
 * identity of the replicated state with the admin flag and a public key — for this cluster, and
 * carry a (signer, nonce) not applied before. Refusals are counted by reason
 * ({@code d2r2_bft_control_refusals}) and are the same on every correct replica, so their
 * states, and the digests they export ({@code d2r2_bft_control_digest_info}), stay equal.
 *
 * <p>The plain requests (register, create channel...) are refused: on a Byzantine cluster the
 * replica that takes a request is not trusted to speak for an administrator.
 */
public final class ByzantineControl implements ReplicatedControl {
    private static final Logger LOG = LoggerFactory.getLogger(ByzantineControl.class);

    private final Broker broker;
    private final String group;
    private final Map<String, PublicKey> administrators = new TreeMap<>();
    private final Predicate<byte[]> orderer;
    private final Duration patience;
    private final Counter refusals;
    private final Counter entryRefusals;
    private final Counter applied;
    private final ControlState state = new ControlState();
    /** The (signer, nonce) of every command decided with a valid signature; guarded by this. */
    private final Set<String> usedNonces = new HashSet<>();
    private final Map<String, CompletableFuture<CommandResult>> waiting = new ConcurrentHashMap<>();
    private volatile String digest;

    /**
     * @param orderer submits a command to this replica's HotStuff replica; false when its queue is full
     * @param patience how long a submission may take to be decided and applied here
     */
    public ByzantineControl(Broker broker, ClusterFile cluster, Predicate<byte[]> orderer, Duration patience) {
        this.broker = broker;
        this.group = cluster.group();
        for (Administrator a : cluster.admins()) {
            administrators.put(a.name(), a.signingKey());
        }
        this.orderer = orderer;
        this.patience = patience;
        this.digest = state.digest();
        this.refusals = Counter.builder().name("d2r2_bft_control_refusals")
                .help("Decided control commands refused (malformed, unauthorised, forged, replayed, refused by the state)")
                .labelNames("reason").register(broker.registry());
        this.entryRefusals = Counter.builder().name("d2r2_bft_control_entry_refusals")
                .help("Signed control commands this replica refused before ordering them (malformed, forged, replayed)")
                .labelNames("reason").register(broker.registry());
        this.applied = Counter.builder().name("d2r2_bft_control_applied")
                .help("Decided control commands applied to the control state").register(broker.registry());
        GaugeWithCallback.builder().name("d2r2_bft_control_digest_info")
                .help("SHA-256 of the replicated control state: equal on every correct replica that applied the same commands")
                .labelNames("digest").callback(cb -> cb.call(1, digest)).register(broker.registry());
    }

    /** Whether {@code cluster} takes signed control commands (its file names administrators). */
    public static boolean governs(ClusterFile cluster) {
        return !cluster.admins().isEmpty();
    }

    /** Makes the broker send its control requests here; call before it serves clients. */
    public ByzantineControl attach() {
        broker.replicateControl(this);
        return this;
    }

    /** Whether a decided command is a control command, for {@link #decided}; the rest are events. */
    public static boolean isControl(byte[] command) {
        return SignedCommand.isSigned(command);
    }

    /** Applies decided control command {@code bytes} of block {@code height}, on the orderer's thread. */
    public synchronized void decided(long height, byte[] bytes) {
        SignedCommand signed;
        ControlCommand command;
        try {
            signed = SignedCommand.decode(bytes);
            command = signed.decodeCommand();
        } catch (MalformedCommandException e) {
            refuse(height, "control_malformed", e.getMessage());
            return;
        }
        PublicKey key = authority(signed.signer());
        if (key == null) {
            refuse(height, "control_unauthorised", signed.signer() + " is no administrator of this cluster");
            return;
        }
        if (!signed.signedBy(group, key)) {
            refuse(height, "control_forged", "the signature is not " + signed.signer() + "'s for cluster " + group);
            return;
        }
        CommandResult result;
        if (!usedNonces.add(signed.nonceKey())) {
            refuse(height, "control_replayed", command + " of " + signed.signer() + " was decided before");
            result = CommandResult.refused(command + " was applied before (a replay)");
        } else {
            result = state.apply(command).at(height);
            if (result.applied()) {
                applied.inc();
                digest = state.digest();
                ControlMirror.apply(broker, state);
                LOG.info("decided block {}: {} of {}: {}", height, command, signed.signer(), result.message());
            } else {
                refusals.labelValues("control_refused").inc();
            }
        }
        CompletableFuture<CommandResult> waiter = waiting.remove(SignedCommand.id(bytes));
        if (waiter != null) {
            waiter.complete(result);
        }
    }

    private PublicKey authority(String signer) {
        PublicKey key = administrators.get(signer);
        if (key != null) {
            return key;
        }
        ControlState.IdentityEntry id = state.identities().get(signer);
        return id != null && id.admin() && id.publicKey() != null ? Crypto.publicKey(id.publicKey()) : null;
    }

    private void refuse(long height, String reason, String why) {
        refusals.labelValues(reason).inc();
        LOG.warn("decided block {}: a control command refused ({}): {}", height, reason, why);
    }

    /**
     * Checks {@code bytes} as every replica will (so that a forgery is refused here, before it
     * costs an ordering), orders it, and waits until this replica applied it.
     */
    @Override
    public String submitSigned(byte[] bytes) {
        ControlCommand command;
        synchronized (this) {
            SignedCommand signed;
            try {
                signed = SignedCommand.decode(bytes);
                command = signed.decodeCommand();
            } catch (MalformedCommandException e) {
                entryRefusals.labelValues("malformed").inc();
                throw new BrokerException(ErrorCode.BAD_REQUEST, "not a signed control command: " + e.getMessage());
            }
            PublicKey key = authority(signed.signer());
            if (key == null || !signed.signedBy(group, key)) {
                entryRefusals.labelValues("forged").inc();
                throw new BrokerException(ErrorCode.FORBIDDEN, "the command is not signed by an administrator of cluster "
                        + group + " (" + signed.signer() + ")");
            }
            if (usedNonces.contains(signed.nonceKey())) {
                entryRefusals.labelValues("replayed").inc();
                throw new BrokerException(ErrorCode.BAD_REQUEST, command + " was applied before: sign it again to repeat it");
            }
        }
        String id = SignedCommand.id(bytes);
        CompletableFuture<CommandResult> waiter = waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
        if (!orderer.test(bytes)) {
            waiting.remove(id, waiter);
            throw new BrokerException(ErrorCode.LIMIT, "the BFT orderer's queue is full; send the command again");
        }
        CommandResult result;
        try {
            result = waiter.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            waiting.remove(id, waiter);
            throw new BrokerException(ErrorCode.INTERNAL, command + " not decided within " + patience.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.INTERNAL, "interrupted waiting for " + command + " to be decided", e);
        } catch (ExecutionException e) {
            throw new BrokerException(ErrorCode.INTERNAL, command + ": " + e.getCause().getMessage(), e);
        }
        if (!result.applied()) {
            throw new BrokerException(ControlRefusal.code(command, result.message()), result.message());
        }
        return result.message();
    }

    /** SHA-256 of the control state, in hex: equal on correct replicas that applied the same decided commands. */
    public String digest() {
        return digest;
    }

    /** The control state's canonical bytes (its {@link #digest}'s input). */
    public synchronized byte[] encodedState() {
        return state.encode();
    }

    @Override
    public void addIdentity(String name, byte[] secret, PublicKey signingKey, boolean admin) {
        throw unsigned("register identity " + name);
    }

    @Override
    public void createChannel(ChannelSpec spec, byte[] key) {
        throw unsigned("create channel " + spec.tag());
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        throw unsigned("alter channel " + spec.tag());
    }

    @Override
    public void deleteChannel(String tag) {
        throw unsigned("delete channel " + tag);
    }

    @Override
    public void revokeIdentity(String name) {
        throw unsigned("revoke identity " + name);
    }

    /** Decisions arrive by themselves; there is no leader to ask how far they went. */
    @Override
    public void catchUp() {
    }

    private static BrokerException unsigned(String what) {
        return new BrokerException(ErrorCode.FORBIDDEN, "cannot " + what + ": a Byzantine cluster takes control commands"
                + " signed by one of its administrators (d2r2 ... --sign ADMIN.identity), not requests a replica vouches for");
    }
}
