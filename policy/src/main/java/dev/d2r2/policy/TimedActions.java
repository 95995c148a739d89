package dev.d2r2.policy;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextId;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The actions the engine owns — in force (deployed, or being deployed) and being revoked — with
 * their expiries and retries on the engine's timer heap, the context stamp each was last decided
 * for, and what the safety guards count as deployed. Changed only by applying the engine's
 * decisions and outcomes, live or replayed from the audit trail.
 */
final class TimedActions {
    /** An action the engine owns. */
    static final class Tracked {
        Action action;
        long stamp;
        String subject;
        String rule;
        String modality;
        ContextId instance;
        /** The cause of the deploy or extend that put it in force: its revocation carries it on. */
        Cause cause;
        boolean confirmed;
        /** Deployed at least once: a failed extension leaves it in place until it expires. */
        boolean live;
        int attempt = 1;
        long retryAt;

        Tracked(Action action) {
            this.action = action;
        }
    }

    private final Map<String, Tracked> inForce = new LinkedHashMap<>();
    private final Map<String, Tracked> revoking = new LinkedHashMap<>();
    /** The latest context stamp each action was decided for: it is deployed once per stamp. */
    private final Map<String, Long> consumed = new HashMap<>();
    private final Safety safety;
    private final PriorityQueue<Due> timers;

    TimedActions(Safety safety, PriorityQueue<Due> timers) {
        this.safety = safety;
        this.timers = timers;
    }

    Tracked inForce(String id) {
        return inForce.get(id);
    }

    Tracked revoking(String id) {
        return revoking.get(id);
    }

    Collection<Tracked> allInForce() {
        return List.copyOf(inForce.values());
    }

    Collection<Tracked> allRevoking() {
        return List.copyOf(revoking.values());
    }

    /** The latest stamp {@code id} was decided for, or {@link Long#MIN_VALUE}. */
    long consumed(String id) {
        return consumed.getOrDefault(id, Long.MIN_VALUE);
    }

    /** No context asks for {@code id} any more: the next one that does decides it afresh. */
    void forget(String id) {
        consumed.remove(id);
    }

    boolean isEmpty() {
        return inForce.isEmpty() && revoking.isEmpty();
    }

    Map<String, Action> actions() {
        Map<String, Action> m = new LinkedHashMap<>();
        inForce.forEach((id, t) -> m.put(id, t.action));
        return m;
    }

    /** Whether an action's timer no longer matches the action (extended, retried, gone). */
    boolean stale(Due d) {
        Tracked t = d.kind() == Due.Kind.REVOKE_RETRY ? revoking.get(d.id()) : inForce.get(d.id());
        if (t == null) {
            return true;
        }
        return d.kind() == Due.Kind.EXPIRY ? t.action.expires() != d.time() : t.retryAt != d.time();
    }

    void apply(ActionDecision d) {
        Action action = d.action();
        String id = action.id();
        switch (d.verdict()) {
            case DEPLOY -> {
                Tracked t = new Tracked(action);
                t.stamp = d.stamp();
                t.subject = d.subject();
                t.rule = d.rule();
                t.modality = d.modality();
                t.instance = d.context();
                t.cause = d.cause();
                inForce.put(id, t);
                consumed.put(id, d.stamp());
                safety.deployed(action, d.time());
                timers.add(new Due(action.expires(), Due.Kind.EXPIRY, id));
            }
            case EXTEND -> {
                Tracked t = inForce.get(id);
                if (t != null) {
                    t.action = action;
                    t.stamp = d.stamp();
                    t.cause = d.cause();
                    t.confirmed = false;
                    t.attempt = 1;
                    timers.add(new Due(action.expires(), Due.Kind.EXPIRY, id));
                }
                consumed.put(id, d.stamp());
            }
            case REFUSE -> consumed.put(id, d.stamp());
            case REVOKE -> {
                Tracked t = inForce.remove(id);
                if (t != null) {
                    safety.released(t.action);
                }
                revoking.put(id, new Tracked(action));
            }
        }
    }

    void apply(ActionOutcome o) {
        boolean deploy = o.call() == ActionOutcome.Call.DEPLOY;
        String id = o.actionId();
        Tracked t = deploy ? inForce.get(id) : revoking.get(id);
        if (t == null) {
            return;
        }
        switch (o.result()) {
            case OK, DRY_RUN -> {
                if (deploy) {
                    t.confirmed = true;
                    t.live = true;
                    t.retryAt = 0;
                } else {
                    revoking.remove(id);
                }
            }
            case FAILED -> {
                if (o.retryAt() != null) {
                    t.retryAt = o.retryAt();
                    t.attempt = o.attempt() + 1;
                    timers.add(new Due(t.retryAt, deploy ? Due.Kind.DEPLOY_RETRY : Due.Kind.REVOKE_RETRY, id));
                } else {
                    drop(deploy, id);
                }
            }
            case REFUSED -> drop(deploy, id);
        }
    }

    private void drop(boolean deploy, String id) {
        if (deploy) {
            Tracked t = inForce.get(id);
            t.retryAt = 0;
            t.confirmed = true;
            if (!t.live) {
                inForce.remove(id);
                safety.released(t.action);
            }
        } else {
            revoking.remove(id);
        }
    }
}
