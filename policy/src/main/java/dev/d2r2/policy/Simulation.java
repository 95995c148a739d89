package dev.d2r2.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.ManualClock;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.Cause;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A policy run in virtual time over recorded events, calling no actuator: time jumps to each
 * event in turn (and to every expiry, window and lifetime on the way); after the last event it
 * runs on until every threat context and action has ended. Deterministic: the same policy and
 * events give the same decisions, byte for byte.
 */
public final class Simulation {
    private static final int MAX_STEPS_AFTER_INPUT = 1_000_000;
    private final Policy policy;
    private final Consumer<String> decisions;
    private ManualClock clock;
    private PolicyEngine engine;
    private long reordered;

    /** {@code decisions} receives one JSON line per deploy, extend, revoke or refuse decision. */
    public Simulation(Policy policy, Consumer<String> decisions) {
        this.policy = policy;
        this.decisions = decisions;
    }

    public void accept(Event e) {
        if (engine == null) {
            clock = new ManualClock(e.time());
            engine = new PolicyEngine(policy, clock, null, Map.of(), null, ignored -> {
            });
            engine.onDecision(d -> decisions.accept(line(d)));
            engine.start();
        }
        if (e.time() < clock.millis()) {
            reordered++;
        }
        runUntil(e.time());
        engine.accept(e);
    }

    /** Ends the input: runs on until no threat context or action is left. */
    public void finish() {
        if (engine == null) {
            return;
        }
        for (int i = 0; i < MAX_STEPS_AFTER_INPUT; i++) {
            long next = engine.nextDue();
            if (engine.idle() || next == Long.MAX_VALUE) {
                return;
            }
            runUntil(next);
        }
    }

    private void runUntil(long time) {
        for (long next = engine.nextDue(); next <= time; next = engine.nextDue()) {
            advanceTo(next);
            engine.tick();
        }
        advanceTo(time);
    }

    private void advanceTo(long time) {
        if (time > clock.millis()) {
            clock.advance(Duration.ofMillis(time - clock.millis()));
        }
    }

    /** Events that came earlier than one before them: taken at the later time. */
    public long reordered() {
        return reordered;
    }

    public PolicyEngine.Stats stats() {
        return engine == null ? new PolicyEngine.Stats() : engine.stats();
    }

    /** A decision as one JSON object: time, decision, the action, the rule and context behind it, and the cause. */
    static String line(ActionDecision d) {
        Action a = d.action();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", d.time());
        m.put("decision", d.verdict().key());
        m.put("action", a.id());
        m.put("actuator", a.actuator());
        m.put("op", a.op());
        m.put("target", a.target());
        m.put("params", a.params());
        m.put("expires", a.expires());
        m.put("rule", d.rule());
        m.put("modality", d.modality());
        m.put("subject", d.subject());
        m.put("context", d.context().id());
        if (d.reason() != null) {
            m.put("reason", d.reason());
        }
        if (d.cause() != null) {
            Map<String, Object> cause = new LinkedHashMap<>();
            Cause c = d.cause();
            putIf(cause, "id", c.id());
            putIf(cause, "type", c.type());
            putIf(cause, "source", c.source());
            putIf(cause, "chronicle", c.chronicle());
            putIf(cause, "events", c.events());
            m.put("cause", cause);
        }
        try {
            return ConfigLoader.json().writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void putIf(Map<String, Object> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
