package dev.d2r2.app.demo;

import dev.d2r2.core.agent.Agent;

import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/** Looks at which broker replica leads every {@value #EVERY_MS} ms, and tells each change (from, to). */
final class LeaderWatch implements Agent {
    private static final long EVERY_MS = 50;

    private final Supplier<Optional<String>> leader;
    private final BiConsumer<String, String> changed;
    private String last;
    private long next;

    LeaderWatch(Supplier<Optional<String>> leader, BiConsumer<String, String> changed) {
        this.leader = leader;
        this.changed = changed;
    }

    @Override
    public String roleName() {
        return "demo-leader-watch";
    }

    @Override
    public void onMessage(Object message) {
        throw new IllegalArgumentException("the leader watch takes no messages");
    }

    @Override
    public long nextDueMillis() {
        return next;
    }

    @Override
    public void onTimer(long now) {
        next = now + EVERY_MS;
        String current = leader.get().orElse(null);
        if (current == null || current.equals(last)) {
            return;
        }
        if (last != null) {
            changed.accept(last, current);
        }
        last = current;
    }
}
