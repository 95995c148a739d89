package dev.d2r2.cluster.raft;

import dev.d2r2.cluster.command.CommandCodec;
import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.command.MalformedCommandException;
import dev.d2r2.cluster.events.EventBatch;
import dev.d2r2.cluster.state.ControlState;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's control plane as a Ratis state machine: each log entry is one
 * {@link ControlCommand} in its {@link CommandCodec} form, applied to a {@link ControlState}.
 * The leader refuses malformed bytes before they enter the log; a malformed entry that is in
 * the log anyway (written by another version) is refused when applied, on every replica alike.
 * Both are counted and answered with the reason; neither stops the state machine.
 *
 * <p>Snapshots are the state's canonical encoding in one file
 * ({@link SimpleStateMachineStorage}, with its MD5), taken by Ratis every
 * {@code snapshot.auto.trigger.threshold} entries and sent to replicas too far behind.
 */
public final class ControlStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ControlStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final CommittedCommands listener;
    private final AtomicLong malformedRefused = new AtomicLong();
    private final Object lock = new Object();
    private ControlState state = new ControlState();

    public ControlStateMachine(CommittedCommands listener) {
        this.listener = listener;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().transition(LifeCycle.State.STARTING);
        loadSnapshot(storage.getLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** Before the leader installs a snapshot on this replica: Ratis checks that we are paused. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After the leader installed a snapshot on this replica. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        loadSnapshot(storage.loadLatestSnapshot());
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
        }
        ControlState loaded = ControlState.decode(Files.readAllBytes(file));
        synchronized (lock) {
            state = loaded;
            setLastAppliedTermIndex(snapshot.getTermIndex());
            listener.loaded(snapshot.getIndex(), state);
        }
        LOG.info("{}: control state loaded from snapshot {} (digest {})", getId(), snapshot.getTermIndex(),
                loaded.digest());
    }

    @Override
    public long takeSnapshot() throws IOException {
        byte[] bytes;
        TermIndex last;
        synchronized (lock) {
            bytes = state.encode();
            last = getLastAppliedTermIndex();
        }
        Path file = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
                new FileInfo(file, MD5FileUtil.computeAndSaveMd5ForFile(file.toFile())), last));
        return last.getIndex();
    }

    /** Keeps malformed bytes out of the log: the client is told why. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        try {
            byte[] entry = request.getMessage().getContent().toByteArray();
            if (EventBatch.isBatch(entry)) {
                EventBatch.decode(entry);
            } else {
                CommandCodec.decode(entry);
            }
        } catch (MalformedCommandException e) {
            malformedRefused.incrementAndGet();
            return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build().setException(e);
        }
        return super.startTransaction(request);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex at = TermIndex.valueOf(entry);
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        if (EventBatch.isBatch(data)) {
            return applyEvents(at, data);
        }
        ControlCommand command = null;
        CommandResult result;
        synchronized (lock) {
            try {
                command = CommandCodec.decode(data);
                result = state.apply(command).at(at.getIndex());
            } catch (MalformedCommandException e) {
                malformedRefused.incrementAndGet();
                LOG.warn("{}: log entry {} refused: {}", getId(), at, e.getMessage());
                result = CommandResult.refused(e.getMessage()).at(at.getIndex());
            }
            updateLastAppliedTermIndex(at);
            if (command != null) {
                listener.applied(at.getIndex(), command, result, state);
            } else {
                listener.passed(at.getIndex());
            }
        }
        return CompletableFuture.completedFuture(message(result.encode()));
    }

    /** Raft's own entries (configuration, a new leader's first entry) are applied through here. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        synchronized (lock) {
            super.notifyTermIndexUpdated(term, index);
            listener.passed(index);
        }
    }

    /** Events of a replicated channel: they leave the control state (and its digest) alone. */
    private CompletableFuture<Message> applyEvents(TermIndex at, byte[] data) {
        synchronized (lock) {
            try {
                listener.events(at.getIndex(), EventBatch.decode(data));
            } catch (MalformedCommandException e) {
                malformedRefused.incrementAndGet();
                LOG.warn("{}: log entry {} refused: {}", getId(), at, e.getMessage());
                listener.passed(at.getIndex());
            }
            updateLastAppliedTermIndex(at);
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ControlQuery q = ControlQuery.decode(request.getContent().toByteArray());
        if (q == null) {
            return CompletableFuture.failedFuture(new MalformedCommandException("not a control query"));
        }
        synchronized (lock) {
            byte[] reply = switch (q) {
                case SUMMARY -> summary().encode();
                case TABLE -> state.encode();
            };
            return CompletableFuture.completedFuture(message(reply));
        }
    }

    public ReplicaSummary summary() {
        synchronized (lock) {
            TermIndex last = getLastAppliedTermIndex();
            return new ReplicaSummary(last == null ? -1 : last.getIndex(), state.digest(), malformedRefused.get());
        }
    }

    private static Message message(byte[] bytes) {
        return Message.valueOf(ByteString.copyFrom(bytes));
    }
}
