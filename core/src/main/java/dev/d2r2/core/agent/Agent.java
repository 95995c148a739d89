package dev.d2r2.core.agent;

/**
 * A role's duty, run by an {@link AgentRunner} on one owning thread: every method is called on
 * that thread only, so an agent's state needs no lock and its publishers keep their one-thread
 * contract. Other threads reach an agent only through its runner's inbox.
 */
public interface Agent {
    /** The role's name, used for its thread and its log lines. */
    String roleName();

    /** Called once on the owning thread before any message. */
    default void onStart() {
    }

    /** One message from the inbox. */
    void onMessage(Object message) throws Exception;

    /** When {@link #onTimer} is next due, in the clock's milliseconds; {@link Long#MAX_VALUE} for never. */
    default long nextDueMillis() {
        return Long.MAX_VALUE;
    }

    /** Called when the clock has reached {@link #nextDueMillis()}. */
    default void onTimer(long nowMillis) throws Exception {
    }

    /** Called once on the owning thread after the last message; closes what the agent owns. */
    default void onClose() throws Exception {
    }
}
