package dev.d2r2.cluster.raft;

import dev.d2r2.cluster.command.CommandResult;
import dev.d2r2.cluster.command.ControlCommand;
import dev.d2r2.cluster.events.EventBatch;
import dev.d2r2.cluster.state.ControlState;

/**
 * Told of each committed command (and batch of events of a replicated channel) once this replica has applied it, on the state machine's
 * apply thread, in log order; and of a whole new state when one is loaded from a snapshot
 * (on start, or installed from the leader). A broker keeps its own control table in step
 * through it. Implementations hand work off and return quickly.
 */
public interface CommittedCommands {
    CommittedCommands NONE = new CommittedCommands() {
        @Override
        public void applied(long index, ControlCommand command, CommandResult result, ControlState state) {
        }

        @Override
        public void loaded(long index, ControlState state) {
        }
    };

    /** {@code state} is this replica's own, with the command applied: read it during the call, keep no reference. */
    void applied(long index, ControlCommand command, CommandResult result, ControlState state);

    /** {@code state} is this replica's own: read it during the call, keep no reference. */
    void loaded(long index, ControlState state);

    /** The events of a replicated channel committed at {@code index}. */
    default void events(long index, EventBatch batch) {
    }

    /**
     * The entry at {@code index} changed nothing here: one of Raft's own (a configuration change,
     * a new leader's first entry) or a refused malformed one. Told so that "applied up to" counts it.
     */
    default void passed(long index) {
    }
}
