package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;

import java.time.Duration;

/** Refreshes a forwarding node's pool every τ, one refresh at a time, as an agent of its own. */
final class PoolRefresher implements Agent {
    private record Done(Throwable failure) {
    }

    private final ForwardingNode node;
    private final long everyMillis;
    private final Clock clock;
    private long due;
    private boolean running;
    private AgentRunner runner;

    PoolRefresher(ForwardingNode node, Duration every, Clock clock) {
        this.node = node;
        this.everyMillis = every.toMillis();
        this.clock = clock;
    }

    void attach(AgentRunner runner) {
        this.runner = runner;
    }

    @Override
    public String roleName() {
        return "pool-" + node.address().getPort();
    }

    @Override
    public void onStart() {
        due = clock.millis();
    }

    @Override
    public void onMessage(Object message) {
        if (!(message instanceof Done done)) {
            throw new IllegalArgumentException("not a pool refresher message: " + message);
        }
        running = false;
        if (done.failure() != null) {
            runner.errors().error("refresh", roleName() + ": refreshing the pool failed: " + done.failure(), null);
        }
        due = clock.millis() + everyMillis;
    }

    @Override
    public long nextDueMillis() {
        return running ? Long.MAX_VALUE : due;
    }

    @Override
    public void onTimer(long nowMillis) {
        running = true;
        node.refreshPool().whenComplete((entries, failure) -> runner.deliver(new Done(failure)));
    }
}
