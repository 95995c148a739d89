package dev.d2r2.policy;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.Deriver.Derivation;
import dev.d2r2.policy.Deriver.Derived;
import dev.d2r2.policy.Policy.Kind;
import dev.d2r2.policy.config.ActuatorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The Or-BAC remediation engine. Events activate, renew and clear threat contexts; time starts
 * and ends temporal ones and expires contexts and actions; each change makes the abstract rules
 * concrete again ({@link Deriver}) for the subjects it touches, and the difference becomes
 * decisions: deploy a new action, extend one (same id, later expiry), revoke one whose context
 * ended, that was overruled or that expired, or refuse one that a safety guard stops.
 *
 * <p>Every change is an event, written to the audit trail and forced to disk before any actuator
 * is called, and applied to the engine's state by one method ({@link #apply}), the same one
 * that replays the trail after a restart: the state after a restart is the state before it.
 *
 * <p>Not thread-safe: one thread calls {@link #start}, {@link #accept}, {@link #tick} and
 * {@link #settle}; only {@link #completed} may be called from any thread.
 */
public final class PolicyEngine {
    static final String CONTEXT = "policy.context";
    static final String DECISION = "policy.decision";
    static final String OUTCOME = "policy.outcome";
    private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);
    private static final long MAX_BACKOFF_MS = 300_000;

    private final Policy policy;
    private final Clock clock;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    private final Consumer<Event> out;
    private final ContextTable contexts = new ContextTable();
    private final Deriver deriver;
    private final Safety safety;
    private final Set<String> literalMembers;
    private final Map<String, Tracked> actions = new LinkedHashMap<>();
    private final Map<String, Tracked> revoking = new LinkedHashMap<>();
    private final Map<String, Long> consumed = new HashMap<>();
    /** Contexts ended in this step, and why: the cause of the revocations that follow. */
    private final Map<String, Cause> endedBy = new HashMap<>();
    private final Map<String, Map<String, Derived>> desired = new HashMap<>();
    private final Map<String, Set<String>> desiredBy = new HashMap<>();
    private final ConcurrentLinkedQueue<Dispatcher.Result> results = new ConcurrentLinkedQueue<>();
    private final Stats stats = new Stats();
    private volatile Runnable wakeup = () -> {
    };

    /** An action the engine owns: deployed (or being deployed), or being revoked. */
    private static final class Tracked {
        Action action;
        long stamp;
        String subject;
        String rule;
        String modality;
        String instance;
        boolean confirmed;
        /** Deployed at least once: a failed extension leaves it in place until it expires. */
        boolean live;
        int attempt = 1;
        long retryAt;

        Tracked(Action action) {
            this.action = action;
        }
    }

    /** Counters since start. */
    public static final class Stats {
        public long events;
        public long activations;
        public long renewals;
        public long clears;
        public long expirations;
        public long deploys;
        public long extensions;
        public long revokes;
        public long refusals;
        public long failures;
        public long retries;
    }

    /**
     * @param dispatcher the actuators' calls, or null for a dry run: decisions are made and
     *                   audited as usual, and no actuator is called
     * @param actuators  the actuators, asked for their population by the blast-radius guard
     * @param audit      where the trail goes, or null
     * @param out        every event the engine records (context changes, decisions, outcomes)
     */
    public PolicyEngine(Policy policy, Clock clock, Dispatcher dispatcher, Map<String, Actuator> actuators, AuditLog audit,
                        Consumer<Event> out) {
        this.policy = policy;
        this.clock = clock;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.out = out;
        this.deriver = new Deriver(policy, contexts);
        this.safety = new Safety(policy, actuators);
        this.literalMembers = deriver.literalMembers();
    }

    public boolean dryRun() {
        return dispatcher == null;
    }

    /** Called when a result arrives (from any thread): the engine's thread should {@link #settle}. */
    public void onWakeup(Runnable r) {
        this.wakeup = r;
    }

    /** Replays an audit trail: contexts, actions and guards as they were when it was written. */
    public void restore(List<Event> trail) {
        for (Event e : trail) {
            apply(e);
        }
        endedBy.clear();
    }

    /**
     * Starts: the nominal context (unless restored), the temporal contexts that hold now, the
     * actions they call for, the calls a restart interrupted and whatever expired meanwhile.
     */
    public void start() {
        long now = clock.millis();
        if (contexts.get(Policy.NOMINAL) == null) {
            record(contextEvent("started", new ContextInstance(Policy.NOMINAL, Policy.NOMINAL, Map.of(), Map.of(), now,
                    Long.MAX_VALUE, Cause.internal("start")), "inactive", "active"));
        }
        for (Tracked t : new ArrayList<>(actions.values())) {
            if (!t.confirmed && t.retryAt == 0) {
                dispatch("deploy", t);
            }
        }
        for (Tracked t : new ArrayList<>(revoking.values())) {
            if (t.retryAt == 0) {
                dispatch("revoke", t);
            }
        }
        rederive(allSubjects());
        tick();
    }

    /** Takes one event: it may activate, renew or clear threat contexts. */
    public void accept(Event e) {
        stats.events++;
        Set<String> touched = new TreeSet<>();
        for (Policy.Context ctx : policy.contexts.values()) {
            if (ctx.kind() != Kind.THREAT) {
                continue;
            }
            for (EventMatch clear : ctx.clear()) {
                Map<String, String> b = clear.bind(e);
                if (b != null) {
                    for (ContextInstance i : new ArrayList<>(contexts.of(ctx.name()))) {
                        if (i.binds(b)) {
                            stats.clears++;
                            record(contextEvent("cleared", i.withCause(Cause.of(e)), "active", "inactive"));
                            touched.addAll(i.empowered().values());
                        }
                    }
                }
            }
            Map<String, String> b = ctx.when().bind(e);
            if (b != null) {
                touched.addAll(activate(ctx, b, e));
            }
        }
        if (!touched.isEmpty()) {
            touched.addAll(literalMembers);
            rederive(touched);
        }
        settle();
    }

    private Set<String> activate(Policy.Context ctx, Map<String, String> bindings, Event e) {
        long now = clock.millis();
        String id = ContextInstance.idOf(ctx.name(), bindings);
        ContextInstance current = contexts.get(id);
        if (current != null && !ctx.renew()) {
            return Set.of();
        }
        Map<String, String> empowered = new LinkedHashMap<>();
        ctx.empower().forEach((role, t) -> empowered.put(role, t.fill(bindings)));
        ContextInstance i = new ContextInstance(id, ctx.name(), bindings, empowered, now, now + ctx.lifetime().toMillis(),
                Cause.of(e));
        if (current == null) {
            stats.activations++;
            record(contextEvent("activated", i, "inactive", "active"));
        } else {
            stats.renewals++;
            record(contextEvent("renewed", i, "active", "active"));
        }
        return new HashSet<>(empowered.values());
    }

    /** Acts on everything due by now: context lifetimes and windows, action expiries, retries. */
    public void tick() {
        long now = clock.millis();
        Set<String> touched = new TreeSet<>();
        for (ContextInstance i : new ArrayList<>(contexts.all())) {
            if (i.expires() <= now) {
                stats.expirations++;
                record(contextEvent("expired", i, "active", "inactive"));
                touched.addAll(i.empowered().values());
            }
        }
        boolean windows = false;
        for (Policy.Context ctx : policy.contexts.values()) {
            if (ctx.kind() == Kind.TEMPORAL) {
                ContextInstance i = contexts.get(ctx.name());
                boolean holds = ctx.window().holds(now);
                if (holds && i == null) {
                    record(contextEvent("started", new ContextInstance(ctx.name(), ctx.name(), Map.of(), Map.of(), now,
                            Long.MAX_VALUE, Cause.internal("window")), "inactive", "active"));
                    windows = true;
                } else if (!holds && i != null) {
                    record(contextEvent("ended", i.withCause(Cause.internal("window")), "active", "inactive"));
                    windows = true;
                }
            }
        }
        if (windows) {
            touched.addAll(allSubjects());
        } else if (!touched.isEmpty()) {
            touched.addAll(literalMembers);
        }
        rederive(touched);
        for (Tracked t : new ArrayList<>(actions.values())) {
            if (t.action.expires() <= now) {
                revoke(t, "expired");
            } else if (t.retryAt != 0 && t.retryAt <= now) {
                stats.retries++;
                dispatch("deploy", t);
            }
        }
        for (Tracked t : new ArrayList<>(revoking.values())) {
            if (t.retryAt != 0 && t.retryAt <= now) {
                stats.retries++;
                dispatch("revoke", t);
            }
        }
        settle();
    }

    /** When {@link #tick} has something to do next, in epoch ms ({@link Long#MAX_VALUE}: nothing). */
    public long nextDue() {
        long next = Long.MAX_VALUE;
        for (ContextInstance i : contexts.all()) {
            next = Math.min(next, i.expires());
        }
        long now = clock.millis();
        for (Policy.Context ctx : policy.contexts.values()) {
            if (ctx.kind() == Kind.TEMPORAL) {
                next = Math.min(next, ctx.window().nextChange(now));
            }
        }
        for (Tracked t : actions.values()) {
            next = Math.min(next, t.retryAt != 0 ? Math.min(t.retryAt, t.action.expires()) : t.action.expires());
        }
        for (Tracked t : revoking.values()) {
            if (t.retryAt != 0) {
                next = Math.min(next, t.retryAt);
            }
        }
        return next;
    }

    /** A call's result; any thread. */
    public void completed(Dispatcher.Result r) {
        results.add(r);
        wakeup.run();
    }

    /** Records the results that arrived, schedules retries, and forces the trail to disk. */
    public void settle() {
        Dispatcher.Result r;
        while ((r = results.poll()) != null) {
            outcome(r);
        }
        if (audit != null) {
            audit.flush();
        }
    }

    public Decision decide(String subject, String action, String object) {
        return deriver.decide(subject, action, object);
    }

    public Collection<ContextInstance> contexts() {
        return List.copyOf(contexts.all());
    }

    /** The actions in force (deployed, or being deployed), by id. */
    public Map<String, Action> actions() {
        Map<String, Action> m = new LinkedHashMap<>();
        actions.forEach((id, t) -> m.put(id, t.action));
        return m;
    }

    public Stats stats() {
        return stats;
    }

    private Set<String> allSubjects() {
        Set<String> all = new TreeSet<>(contexts.subjects());
        all.addAll(literalMembers);
        all.addAll(desired.keySet());
        return all;
    }

    /** Derives the actions {@code subjects} call for now and turns the difference into decisions. */
    private void rederive(Set<String> subjects) {
        try {
            rederiveNow(subjects);
        } finally {
            endedBy.clear();
        }
    }

    private void rederiveNow(Set<String> subjects) {
        long now = clock.millis();
        Set<String> touched = new TreeSet<>();
        Map<String, String> overruledBy = new HashMap<>();
        for (String s : subjects) {
            Map<String, Derived> before = desired.remove(s);
            Derivation d = deriver.derive(s);
            Map<String, Derived> after = new LinkedHashMap<>();
            for (Derived x : d.actions()) {
                after.merge(x.action().id(), x, (a, b) -> a.by().context().stamp() >= b.by().context().stamp() ? a : b);
            }
            d.overruled().forEach((loser, winner) -> {
                if (loser.rule().enforce() != null) {
                    overruledBy.put(deriver.actionOf(loser).id(), winner.rule().name());
                }
            });
            if (before != null) {
                for (String id : before.keySet()) {
                    Set<String> by = desiredBy.get(id);
                    by.remove(s);
                    if (by.isEmpty()) {
                        desiredBy.remove(id);
                    }
                    touched.add(id);
                }
            }
            if (!after.isEmpty()) {
                desired.put(s, after);
                for (String id : after.keySet()) {
                    desiredBy.computeIfAbsent(id, k -> new HashSet<>()).add(s);
                    touched.add(id);
                }
            }
        }
        for (String id : touched) {
            Set<String> by = desiredBy.get(id);
            Tracked t = actions.get(id);
            if (by == null) {
                consumed.remove(id);
                if (t != null) {
                    String winner = overruledBy.get(id);
                    revoke(t, winner != null ? "overruled by " + winner : "context ended");
                }
                continue;
            }
            Derived best = null;
            for (String s : new TreeSet<>(by)) {
                Derived x = desired.get(s).get(id);
                if (best == null || x.by().context().stamp() > best.by().context().stamp()) {
                    best = x;
                }
            }
            long stamp = best.by().context().stamp();
            if (t != null) {
                if (stamp > t.stamp) {
                    decide("extend", best, t.action.withExpiry(Math.max(t.action.expires(), best.action().expires())), null);
                }
            } else if (consumed.getOrDefault(id, Long.MIN_VALUE) < stamp && best.action().expires() > now) {
                String refusal = safety.refusal(best.action(), best.by().subject(), now);
                decide(refusal == null ? "deploy" : "refuse", best, best.action(), refusal);
            }
        }
    }

    private void decide(String decision, Derived d, Action a, String reason) {
        Map<String, Object> attrs = actionAttrs(decision, a);
        attrs.put("stamp", d.by().context().stamp());
        attrs.put("rule", d.by().rule().name());
        attrs.put("modality", d.by().rule().modality().key());
        attrs.put("subject", d.by().subject());
        attrs.put("context", d.by().context().id());
        if (reason != null) {
            attrs.put("reason", reason);
        }
        d.by().context().cause().into(attrs);
        record(Event.message(DECISION, clock.millis(), a.id(), attrs));
        switch (decision) {
            case "deploy" -> stats.deploys++;
            case "extend" -> stats.extensions++;
            default -> stats.refusals++;
        }
        if (!decision.equals("refuse")) {
            dispatch("deploy", actions.get(a.id()));
        }
    }

    private void revoke(Tracked t, String reason) {
        Map<String, Object> attrs = actionAttrs("revoke", t.action);
        attrs.put("stamp", t.stamp);
        attrs.put("rule", t.rule);
        attrs.put("modality", t.modality);
        attrs.put("subject", t.subject);
        attrs.put("context", t.instance);
        attrs.put("reason", reason);
        Cause ended = endedBy.get(t.instance);
        if (ended != null && reason.equals("context ended")) {
            ended.into(attrs);
        }
        record(Event.message(DECISION, clock.millis(), t.action.id(), attrs));
        stats.revokes++;
        dispatch("revoke", revoking.get(t.action.id()));
    }

    private static Map<String, Object> actionAttrs(String decision, Action a) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("decision", decision);
        attrs.put("actuator", a.actuator());
        attrs.put("op", a.op());
        attrs.put("target", a.target());
        a.params().forEach((k, v) -> attrs.put("param." + k, v));
        attrs.put("expires", a.expires());
        return attrs;
    }

    private void dispatch(String call, Tracked t) {
        t.retryAt = 0;
        Dispatcher.Call c = new Dispatcher.Call(call, t.action, t.attempt);
        if (dispatcher == null) {
            outcome(new Dispatcher.Result(c, "dry-run", null));
        } else {
            dispatcher.call(c, this::completed);
        }
    }

    private void outcome(Dispatcher.Result r) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("call", r.call().call());
        attrs.put("outcome", r.outcome());
        attrs.put("attempt", r.call().attempt());
        attrs.put("actuator", r.call().action().actuator());
        if (r.error() != null) {
            attrs.put("error", r.error());
        }
        if (r.outcome().equals("failed")) {
            stats.failures++;
            ActuatorConfig c = policy.actuators.get(r.call().action().actuator());
            if (r.call().attempt() < c.retryAttempts()) {
                long backoff = Math.min(MAX_BACKOFF_MS, c.retryBackoff().toMillis() << Math.min(20, r.call().attempt() - 1));
                attrs.put("retry-at", clock.millis() + backoff);
            }
            LOG.warn("{} {} failed (attempt {}): {}{}", r.call().call(), r.call().action().id(), r.call().attempt(), r.error(),
                    attrs.containsKey("retry-at") ? "; retrying" : "; giving up");
        }
        record(Event.message(OUTCOME, clock.millis(), r.call().action().id(), attrs));
    }

    private Event contextEvent(String change, ContextInstance i, String from, String to) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("context", i.context());
        attrs.put("change", change);
        attrs.put("stamp", i.stamp());
        if (i.expires() != Long.MAX_VALUE) {
            attrs.put("expires", i.expires());
        }
        i.bindings().forEach((k, v) -> attrs.put("bind." + k, v));
        i.empowered().forEach((k, v) -> attrs.put("empower." + k, v));
        i.cause().into(attrs);
        return Event.state(CONTEXT, clock.millis(), i.id(), from, to, attrs);
    }

    private void record(Event e) {
        if (audit != null) {
            audit.append(e);
        }
        apply(e);
        out.accept(e);
    }

    /** The one place the engine's state changes: live, and when a trail is replayed. */
    private void apply(Event e) {
        Map<String, Object> a = e.attrs();
        switch (e.type()) {
            case CONTEXT -> {
                if ("active".equals(e.to())) {
                    contexts.put(new ContextInstance(e.source(), text(a, "context"), prefixed(a, "bind."),
                            prefixed(a, "empower."), number(a, "stamp"),
                            a.containsKey("expires") ? number(a, "expires") : Long.MAX_VALUE, Cause.from(a)));
                } else {
                    contexts.remove(e.source());
                    endedBy.put(e.source(), Cause.from(a));
                }
            }
            case DECISION -> applyDecision(e.source(), e.time(), a);
            case OUTCOME -> applyOutcome(e.source(), a);
            default -> {
            }
        }
    }

    private void applyDecision(String id, long time, Map<String, Object> a) {
        String decision = text(a, "decision");
        long stamp = number(a, "stamp");
        Action action = new Action(id, text(a, "actuator"), text(a, "op"), text(a, "target"), prefixed(a, "param."),
                number(a, "expires"));
        switch (decision) {
            case "deploy" -> {
                Tracked t = new Tracked(action);
                t.stamp = stamp;
                t.subject = text(a, "subject");
                t.rule = text(a, "rule");
                t.modality = text(a, "modality");
                t.instance = text(a, "context");
                actions.put(id, t);
                consumed.put(id, stamp);
                safety.deployed(action, time);
            }
            case "extend" -> {
                Tracked t = actions.get(id);
                if (t != null) {
                    t.action = action;
                    t.stamp = stamp;
                    t.confirmed = false;
                    t.attempt = 1;
                }
                consumed.put(id, stamp);
            }
            case "refuse" -> consumed.put(id, stamp);
            case "revoke" -> {
                Tracked t = actions.remove(id);
                if (t != null) {
                    safety.released(t.action);
                }
                Tracked r = new Tracked(action);
                revoking.put(id, r);
            }
            default -> LOG.warn("audit trail: unknown decision {} for {} ignored", decision, id);
        }
    }

    private void applyOutcome(String id, Map<String, Object> a) {
        boolean deploy = "deploy".equals(text(a, "call"));
        Tracked t = deploy ? actions.get(id) : revoking.get(id);
        if (t == null) {
            return;
        }
        switch (text(a, "outcome")) {
            case "ok", "dry-run" -> {
                if (deploy) {
                    t.confirmed = true;
                    t.live = true;
                    t.retryAt = 0;
                } else {
                    revoking.remove(id);
                }
            }
            case "failed" -> {
                if (a.containsKey("retry-at")) {
                    t.retryAt = number(a, "retry-at");
                    t.attempt = (int) number(a, "attempt") + 1;
                } else {
                    drop(deploy, id);
                }
            }
            default -> drop(deploy, id);
        }
    }

    private void drop(boolean deploy, String id) {
        if (deploy) {
            Tracked t = actions.get(id);
            t.retryAt = 0;
            t.confirmed = true;
            if (!t.live) {
                actions.remove(id);
                safety.released(t.action);
            }
        } else {
            revoking.remove(id);
        }
    }

    private static String text(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v == null ? null : v.toString();
    }

    private static long number(Map<String, Object> a, String key) {
        Object v = a.get(key);
        return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
    }

    private static Map<String, String> prefixed(Map<String, Object> a, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v.toString());
            }
        });
        return out;
    }
}
