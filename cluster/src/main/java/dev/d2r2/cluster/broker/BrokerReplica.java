package dev.d2r2.cluster.broker;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.ReplicatedControl;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.raft.ClusterClient;
import dev.d2r2.cluster.events.EventBatch;
import dev.d2r2.cluster.raft.CommittedCommands;
import dev.d2r2.cluster.state.ControlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.PublicKey;
import java.time.Duration;

/**
 * Joins a {@link Broker} to the cluster's control plane, both ways: the broker's registrations
 * and channel changes are submitted to the Raft log ({@link ReplicatedControl}), and every
 * committed command, applied here in log order, brings the broker's identities and channels to
 * the replicated state ({@link CommittedCommands}). A submission returns once this replica has
 * applied it, so the caller's next request already sees its effect.
 */
public final class BrokerReplica implements CommittedCommands, ReplicatedControl {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerReplica.class);

    private final Broker broker;
    private final Duration applyPatience;
    private final Object progress = new Object();
    private ClusterClient client;
    private long appliedIndex = -1;

    /** @param applyPatience how long a committed submission may take to be applied on this replica */
    public BrokerReplica(Broker broker, Duration applyPatience) {
        this.broker = broker;
        this.applyPatience = applyPatience;
    }

    /** Where submissions go; set once the replica runs, before the broker serves clients. */
    public void submitThrough(ClusterClient client) {
        this.client = client;
        broker.replicateControl(this);
    }

    @Override
    public void applied(long index, ControlCommand command, CommandResult result, ControlState state) {
        if (result.applied()) {
            mirror(state);
        }
        advance(index);
    }

    @Override
    public void events(long index, EventBatch batch) {
        try {
            broker.applyCommitted(batch.tag(), index, batch.time(), batch.envelopes());
        } catch (IOException | RuntimeException e) {
            LOG.error("applying the events of log entry {} to channel {} failed; this replica's log of it is now behind",
                    index, batch.tag(), e);
        }
        advance(index);
    }

    @Override
    public void passed(long index) {
        advance(index);
    }

    @Override
    public void loaded(long index, ControlState state) {
        mirror(state);
        advance(index);
    }

    private void mirror(ControlState state) {
        ControlMirror.apply(broker, state);
    }

    private void advance(long index) {
        synchronized (progress) {
            appliedIndex = Math.max(appliedIndex, index);
            progress.notifyAll();
        }
    }

    @Override
    public void addIdentity(String name, byte[] secret, PublicKey signingKey, boolean admin) {
        submit(new ControlCommand.AddIdentity(name, secret, signingKey == null ? null : signingKey.getEncoded(), admin));
    }

    @Override
    public void createChannel(ChannelSpec spec, byte[] key) {
        submit(new ControlCommand.CreateChannel(spec, key));
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        submit(new ControlCommand.AlterChannel(spec));
    }

    @Override
    public void deleteChannel(String tag) {
        submit(new ControlCommand.DeleteChannel(tag));
    }

    @Override
    public void revokeIdentity(String name) {
        submit(new ControlCommand.RevokeIdentity(name));
    }

    /** A Raft cluster trusts its replicas: its administrators use the plain requests, checked by the replica they reach. */
    @Override
    public String submitSigned(byte[] command) {
        throw new BrokerException(ErrorCode.BAD_REQUEST, "signed control commands are for Byzantine clusters"
                + " (d2r2 broker --bft); this Raft replica takes the plain requests");
    }

    @Override
    public void catchUp() {
        long committed;
        try {
            committed = client.leaderAppliedIndex();
        } catch (IOException e) {
            LOG.debug("could not ask the leader how far the log is applied; answering from this replica's state", e);
            return;
        }
        awaitApplied(committed);
    }

    /**
     * Commits {@code command}; a refusal (the same on every replica) is thrown with its code.
     * Either way this replica has applied the log up to the command first, so a caller that was
     * refused because a channel exists (a replica catching up after a restart) finds it here.
     */
    private void submit(ControlCommand command) {
        CommandResult result;
        try {
            result = client.submit(command);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "the cluster did not commit " + command + ": " + e.getMessage(), e);
        }
        awaitApplied(result.index());
        if (!result.applied()) {
            throw new BrokerException(ControlRefusal.code(command, result.message()), result.message());
        }
    }

    private void awaitApplied(long index) {
        long deadline = System.nanoTime() + applyPatience.toNanos();
        synchronized (progress) {
            while (appliedIndex < index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BrokerException(ErrorCode.INTERNAL, "committed at log index " + index
                            + " but not yet applied on this replica (it is at " + appliedIndex + ")");
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException(ErrorCode.INTERNAL, "interrupted waiting for log index " + index, e);
                }
            }
        }
    }

    /** The last log index this replica applied to its broker. */
    public long appliedIndex() {
        synchronized (progress) {
            return appliedIndex;
        }
    }
}
