package dev.d2r2.bridge.kafka;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;

import java.util.concurrent.CompletableFuture;

/**
 * What both directions share: the agent's runner, the counters and the end of the bridge. A
 * subclass starts its runner last in its constructor ({@link #run}), so that the agent's thread
 * never sees a half-built bridge.
 */
abstract class BridgeAgent implements Agent, KafkaBridge {
    protected final BridgeStats stats = new BridgeStats();
    protected final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    protected AgentRunner runner;

    protected final void run(int inboxCapacity, Clock clock) {
        runner = new AgentRunner(this, inboxCapacity, clock);
        runner.start();
    }

    /** Stops the bridge from its own thread, with the cause that ended it. */
    protected final void end(Throwable cause) {
        ended.complete(cause);
        try {
            runner.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public final BridgeStats stats() {
        return stats;
    }

    @Override
    public final CompletableFuture<Throwable> ended() {
        return ended;
    }

    @Override
    public final void close() throws InterruptedException {
        runner.close();
    }
}
