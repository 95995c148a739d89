package dev.d2r2.core.agent;

/** An agent's lifecycle; a runner moves only forward through it. */
public enum AgentState {
    NEW, STARTING, RUNNING, CLOSING, CLOSED;

    boolean canMoveTo(AgentState next) {
        return next.ordinal() > ordinal();
    }
}
