package dev.d2r2.policy;

import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.core.actuator.Actuator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An engine on a virtual clock, with recorded calls and events. */
final class Harness {
    final ManualClock clock;
    final RecordingDispatcher calls = new RecordingDispatcher();
    final List<Event> events = new ArrayList<>();
    final PolicyEngine engine;

    Harness(Policy policy) {
        this(policy, null, Map.of());
    }

    Harness(Policy policy, AuditLog audit, Map<String, Actuator> actuators) {
        this(policy, audit, actuators, Fixtures.T0, List.of());
    }

    /** An engine started at {@code now} after replaying {@code trail}. */
    Harness(Policy policy, AuditLog audit, Map<String, Actuator> actuators, long now, List<Event> trail) {
        clock = new ManualClock(now);
        engine = new PolicyEngine(policy, clock, calls, actuators, audit, events::add);
        engine.restore(trail);
        engine.start();
    }

    /** Moves time on by {@code d}, acting on everything due on the way, as the role does. */
    void advance(Duration d) {
        long until = clock.millis() + d.toMillis();
        for (long next = engine.nextDue(); next <= until; next = engine.nextDue()) {
            clock.advance(Duration.ofMillis(next - clock.millis()));
            engine.tick();
        }
        clock.advance(Duration.ofMillis(until - clock.millis()));
    }

    long now() {
        return clock.millis();
    }

    /** The decisions so far as "decision action-id" lines. */
    List<String> decisions() {
        return events.stream().filter(e -> e.type().equals(PolicyEvents.DECISION.name()))
                .map(e -> e.attrs().get("decision") + " " + e.source()).toList();
    }

    List<Event> decisionEvents(String decision) {
        return events.stream().filter(e -> e.type().equals(PolicyEvents.DECISION.name()) && decision.equals(e.attrs().get("decision")))
                .toList();
    }

    List<String> contextChanges() {
        return events.stream().filter(e -> e.type().equals(PolicyEvents.CONTEXT.name()))
                .map(e -> e.attrs().get("change") + " " + e.source()).toList();
    }
}
