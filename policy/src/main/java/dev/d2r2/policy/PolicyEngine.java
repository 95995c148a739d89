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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.PriorityQueue;
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
    /** What each subject is asked to bear, by the context instance asking. */
    private final Map<String, Map<String, List<Derived>>> desired = new HashMap<>();
    /** Who asks for each action: subject and instance, newline-separated. */
    private final Map<String, Map<String, Derived>> desiredBy = new HashMap<>();
    /** The permissions and prohibitions applying to each subject when it was last derived. */
    private final Map<String, Set<String>> overruling = new HashMap<>();
    private final PriorityQueue<Due> timers = new PriorityQueue<>();
    private final List<Policy.Context> threats = new ArrayList<>();
    private final List<Policy.Context> temporals = new ArrayList<>();
    private long temporalDue = Long.MAX_VALUE;
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
        for (Policy.Context c : policy.contexts.values()) {
            if (c.kind() == Kind.THREAT) {
                threats.add(c);
            } else if (c.kind() == Kind.TEMPORAL) {
                temporals.add(c);
            }
        }
    }

    /** Something due at a time; checked against the current state when it comes up, so stale entries are skipped. */
    private record Due(long time, Kind kind, String id) implements Comparable<Due> {
        enum Kind { CONTEXT, EXPIRY, DEPLOY_RETRY, REVOKE_RETRY }

        @Override
        public int compareTo(Due o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Integer.compare(kind.ordinal(), o.kind.ordinal());
        }
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
        rederive(Map.of(), true);
        tick();
    }

    /** Takes one event: it may activate, renew or clear threat contexts. */
    public void accept(Event e) {
        stats.events++;
        Map<String, ContextInstance> changed = new LinkedHashMap<>();
        for (Policy.Context ctx : threats) {
            for (EventMatch clear : ctx.clear()) {
                Map<String, String> b = clear.bind(e);
                if (b != null) {
                    for (ContextInstance i : new ArrayList<>(contexts.of(ctx.name()))) {
                        if (i.binds(b)) {
                            stats.clears++;
                            record(contextEvent("cleared", i.withCause(Cause.of(e)), "active", "inactive"));
                            changed.put(i.id(), i);
                        }
                    }
                }
            }
            Map<String, String> b = ctx.when().bind(e);
            if (b != null) {
                ContextInstance i = activate(ctx, b, e);
                if (i != null) {
                    changed.put(i.id(), i);
                }
            }
        }
        if (!changed.isEmpty()) {
            rederive(changed, false);
        }
        settle();
    }

    /** Activates or renews the instance of {@code ctx} for {@code bindings}; null when nothing changed. */
    private ContextInstance activate(Policy.Context ctx, Map<String, String> bindings, Event e) {
        long now = clock.millis();
        String id = ContextInstance.idOf(ctx.name(), bindings);
        ContextInstance current = contexts.get(id);
        if (current != null && !ctx.renew()) {
            return null;
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
        return i;
    }

    /** Acts on everything due by now: context lifetimes and windows, action expiries, retries. */
    public void tick() {
        long now = clock.millis();
        Map<String, ContextInstance> changed = new LinkedHashMap<>();
        List<Due> actionsDue = new ArrayList<>();
        while (!timers.isEmpty() && timers.peek().time() <= now) {
            Due d = timers.poll();
            if (d.kind() == Due.Kind.CONTEXT) {
                ContextInstance i = contexts.get(d.id());
                if (i != null && i.expires() == d.time()) {
                    stats.expirations++;
                    record(contextEvent("expired", i, "active", "inactive"));
                    changed.put(i.id(), i);
                }
            } else {
                actionsDue.add(d);
            }
        }
        boolean windows = false;
        for (Policy.Context ctx : temporals) {
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
        if (windows || !changed.isEmpty()) {
            rederive(changed, windows);
        }
        for (Due d : actionsDue) {
            switch (d.kind()) {
                case EXPIRY -> {
                    Tracked t = actions.get(d.id());
                    if (t != null && t.action.expires() == d.time()) {
                        revoke(t, "expired");
                    }
                }
                case DEPLOY_RETRY -> {
                    Tracked t = actions.get(d.id());
                    if (t != null && t.retryAt == d.time()) {
                        stats.retries++;
                        dispatch("deploy", t);
                    }
                }
                default -> {
                    Tracked t = revoking.get(d.id());
                    if (t != null && t.retryAt == d.time()) {
                        stats.retries++;
                        dispatch("revoke", t);
                    }
                }
            }
        }
        temporalDue = Long.MAX_VALUE;
        for (Policy.Context ctx : temporals) {
            temporalDue = Math.min(temporalDue, ctx.window().nextChange(now));
        }
        settle();
    }

    /** When {@link #tick} has something to do next, in epoch ms ({@link Long#MAX_VALUE}: nothing). */
    public long nextDue() {
        while (!timers.isEmpty() && stale(timers.peek())) {
            timers.poll();
        }
        return Math.min(temporalDue, timers.isEmpty() ? Long.MAX_VALUE : timers.peek().time());
    }

    private boolean stale(Due d) {
        return switch (d.kind()) {
            case CONTEXT -> {
                ContextInstance i = contexts.get(d.id());
                yield i == null || i.expires() != d.time();
            }
            case EXPIRY -> {
                Tracked t = actions.get(d.id());
                yield t == null || t.action.expires() != d.time();
            }
            case DEPLOY_RETRY -> {
                Tracked t = actions.get(d.id());
                yield t == null || t.retryAt != d.time();
            }
            case REVOKE_RETRY -> {
                Tracked t = revoking.get(d.id());
                yield t == null || t.retryAt != d.time();
            }
        };
    }

    /** True when no threat context holds and no action is in force or being revoked. */
    public boolean idle() {
        int steady = contexts.get(Policy.NOMINAL) == null ? 0 : 1;
        for (Policy.Context ctx : temporals) {
            steady += contexts.get(ctx.name()) == null ? 0 : 1;
        }
        return actions.isEmpty() && revoking.isEmpty() && contexts.size() == steady;
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

    /**
     * Derives again what the subjects of the {@code changed} context instances (ended ones
     * included) are asked to bear, or what every subject is asked when {@code all}, and turns
     * the difference into decisions.
     */
    private void rederive(Map<String, ContextInstance> changed, boolean all) {
        try {
            Set<String> subjects = new TreeSet<>();
            if (all) {
                subjects.addAll(contexts.subjects());
                subjects.addAll(desired.keySet());
                subjects.addAll(literalMembers);
            } else {
                changed.values().forEach(i -> subjects.addAll(i.empowered().values()));
                subjects.addAll(literalMembers);
            }
            List<ContextInstance> steady = new ArrayList<>();
            if (contexts.get(Policy.NOMINAL) != null) {
                steady.add(contexts.get(Policy.NOMINAL));
            }
            for (Policy.Context ctx : temporals) {
                if (contexts.get(ctx.name()) != null) {
                    steady.add(contexts.get(ctx.name()));
                }
            }
            Set<String> touched = new TreeSet<>();
            Map<String, String> overruledBy = new HashMap<>();
            for (String s : subjects) {
                rederive(s, changed, all, steady, touched, overruledBy);
            }
            decideOn(touched, overruledBy);
        } finally {
            endedBy.clear();
        }
    }

    private void rederive(String s, Map<String, ContextInstance> changed, boolean all, List<ContextInstance> steady,
                          Set<String> touched, Map<String, String> overruledBy) {
        List<Deriver.Candidate> over = deriver.overruling(s);
        Set<String> signature = new HashSet<>();
        over.forEach(c -> signature.add(c.rule().name()));
        boolean full = all || !signature.equals(overruling.getOrDefault(s, Set.of()));
        if (signature.isEmpty()) {
            overruling.remove(s);
        } else {
            overruling.put(s, signature);
        }
        boolean member = deriver.isMember(s);
        Map<String, List<Derived>> mine = desired.computeIfAbsent(s, k -> new HashMap<>());
        List<ContextInstance> scope = new ArrayList<>(steady);
        Set<String> replaced = new HashSet<>();
        steady.forEach(i -> replaced.add(i.id()));
        if (full) {
            replaced.addAll(mine.keySet());
            for (ContextInstance i : member ? contexts.all() : contexts.empowering(s)) {
                if (policy.contexts.get(i.context()).kind() == Kind.THREAT) {
                    scope.add(i);
                    replaced.add(i.id());
                }
            }
        } else {
            for (ContextInstance i : changed.values()) {
                replaced.add(i.id());
                ContextInstance now = contexts.get(i.id());
                if (now != null && policy.contexts.get(now.context()).kind() == Kind.THREAT
                        && (member || now.empowered().containsValue(s))) {
                    scope.add(now);
                }
            }
        }
        for (String id : replaced) {
            List<Derived> before = mine.remove(id);
            if (before != null) {
                for (Derived x : before) {
                    String actionId = x.action().id();
                    Map<String, Derived> by = desiredBy.get(actionId);
                    by.remove(s + '\n' + id);
                    if (by.isEmpty()) {
                        desiredBy.remove(actionId);
                    }
                    touched.add(actionId);
                }
            }
        }
        Derivation d = deriver.derive(s, scope, over);
        for (Derived x : d.actions()) {
            String instance = x.by().context().id();
            mine.computeIfAbsent(instance, k -> new ArrayList<>()).add(x);
            desiredBy.computeIfAbsent(x.action().id(), k -> new TreeMap<>()).put(s + '\n' + instance, x);
            touched.add(x.action().id());
        }
        d.overruled().forEach((loser, winner) -> overruledBy.put(Deriver.actionOf(loser).id(), winner.rule().name()));
        if (mine.isEmpty()) {
            desired.remove(s);
        }
    }

    /** Turns what the touched actions are asked for now into deploy, extend, refuse and revoke decisions. */
    private void decideOn(Set<String> touched, Map<String, String> overruledBy) {
        long now = clock.millis();
        for (String id : touched) {
            Map<String, Derived> by = desiredBy.get(id);
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
            for (Derived x : by.values()) {
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
                    ContextInstance i = new ContextInstance(e.source(), text(a, "context"), prefixed(a, "bind."),
                            prefixed(a, "empower."), number(a, "stamp"),
                            a.containsKey("expires") ? number(a, "expires") : Long.MAX_VALUE, Cause.from(a));
                    contexts.put(i);
                    if (i.expires() != Long.MAX_VALUE) {
                        timers.add(new Due(i.expires(), Due.Kind.CONTEXT, i.id()));
                    }
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
                timers.add(new Due(action.expires(), Due.Kind.EXPIRY, id));
            }
            case "extend" -> {
                Tracked t = actions.get(id);
                if (t != null) {
                    t.action = action;
                    t.stamp = stamp;
                    t.confirmed = false;
                    t.attempt = 1;
                    timers.add(new Due(action.expires(), Due.Kind.EXPIRY, id));
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
                    timers.add(new Due(t.retryAt, deploy ? Due.Kind.DEPLOY_RETRY : Due.Kind.REVOKE_RETRY, id));
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
