package dev.d2r2.policy;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionDecision.Verdict;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.ContextChange.Change;
import dev.d2r2.policy.events.ContextId;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.policy.Deriver.Derivation;
import dev.d2r2.policy.Deriver.Derived;
import dev.d2r2.policy.Policy.Kind;
import dev.d2r2.policy.TimedActions.Tracked;
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
    private static final Logger LOG = LoggerFactory.getLogger(PolicyEngine.class);
    private static final long MAX_BACKOFF_MS = 300_000;

    private final Policy policy;
    private final Clock clock;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    private final Consumer<Event> out;
    private final ContextTable contexts = new ContextTable();
    private final PriorityQueue<Due> timers = new PriorityQueue<>();
    private final Deriver deriver;
    private final Safety safety;
    private final Set<String> literalMembers;
    private final TimedActions book;
    /** Contexts ended in this step, and why: the cause of the revocations that follow. */
    private final Map<String, Cause> endedBy = new HashMap<>();
    /** What each subject is asked to bear, by the context instance asking. */
    private final Map<String, Map<String, List<Derived>>> desired = new HashMap<>();
    /** Who asks for each action, by subject and context instance. */
    private final Map<String, Map<Asker, Derived>> desiredBy = new HashMap<>();
    /** The permissions and prohibitions applying to each subject when it was last derived. */
    private final Map<String, Set<String>> overruling = new HashMap<>();
    private final List<Policy.Context> threats = new ArrayList<>();
    private final List<Policy.Context> temporals = new ArrayList<>();
    private long temporalDue = Long.MAX_VALUE;
    private final ConcurrentLinkedQueue<Dispatcher.Result> results = new ConcurrentLinkedQueue<>();
    private final Stats stats = new Stats();
    private volatile Runnable wakeup = () -> {
    };
    private Consumer<ActionDecision> decisions = d -> {
    };

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
        this.book = new TimedActions(safety, timers);
        this.literalMembers = deriver.literalMembers();
        for (Policy.Context c : policy.contexts.values()) {
            if (c.kind() == Kind.THREAT) {
                threats.add(c);
            } else if (c.kind() == Kind.TEMPORAL) {
                temporals.add(c);
            }
        }
    }

    /** A subject asked to bear an action by a context instance; ordered by subject, then instance. */
    private record Asker(String subject, String instance) implements Comparable<Asker> {
        @Override
        public int compareTo(Asker o) {
            int c = subject.compareTo(o.subject);
            return c != 0 ? c : instance.compareTo(o.instance);
        }
    }

    public boolean dryRun() {
        return dispatcher == null;
    }

    /** Called with each decision as it is made (on the engine's thread), before its event goes out. */
    public void onDecision(Consumer<ActionDecision> listener) {
        this.decisions = listener;
    }

    /** Called when a result arrives (from any thread): the engine's thread should {@link #settle}. */
    public void onWakeup(Runnable r) {
        this.wakeup = r;
    }

    /**
     * Replays an audit trail: contexts, actions and guards as they were when it was written. A
     * record that is not a valid event of the policy is logged and skipped.
     */
    public void restore(List<Event> trail) {
        for (Event e : trail) {
            try {
                if (PolicyEvents.CONTEXT.matches(e.type())) {
                    apply(ContextChange.from(e));
                } else if (PolicyEvents.DECISION.matches(e.type())) {
                    book.apply(ActionDecision.from(e));
                } else if (PolicyEvents.OUTCOME.matches(e.type())) {
                    book.apply(ActionOutcome.from(e));
                }
            } catch (EventFormatException ex) {
                LOG.warn("audit trail: {} (skipped)", ex.getMessage());
            }
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
            record(change(Change.STARTED, new ContextInstance(ContextId.of(Policy.NOMINAL), Map.of(), now, Long.MAX_VALUE,
                    Cause.internal("start"))));
        }
        for (Tracked t : book.allInForce()) {
            if (!t.confirmed && t.retryAt == 0) {
                dispatch(ActionOutcome.Call.DEPLOY, t);
            }
        }
        for (Tracked t : book.allRevoking()) {
            if (t.retryAt == 0) {
                dispatch(ActionOutcome.Call.REVOKE, t);
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
                            record(change(Change.CLEARED, i.withCause(Cause.of(e))));
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
        ContextId key = new ContextId(ctx.name(), bindings);
        ContextInstance current = contexts.get(key.id());
        if (current != null && !ctx.renew()) {
            return null;
        }
        Map<String, String> empowered = new LinkedHashMap<>();
        ctx.empower().forEach((role, t) -> empowered.put(role, t.fill(bindings)));
        ContextInstance i = new ContextInstance(key, empowered, now, now + ctx.lifetime().toMillis(), Cause.of(e));
        if (current == null) {
            stats.activations++;
            record(change(Change.ACTIVATED, i));
        } else {
            stats.renewals++;
            record(change(Change.RENEWED, i));
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
                    record(change(Change.EXPIRED, i));
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
                record(change(Change.STARTED, new ContextInstance(ContextId.of(ctx.name()), Map.of(), now, Long.MAX_VALUE,
                        Cause.internal("window"))));
                windows = true;
            } else if (!holds && i != null) {
                record(change(Change.ENDED, i.withCause(Cause.internal("window"))));
                windows = true;
            }
        }
        if (windows || !changed.isEmpty()) {
            rederive(changed, windows);
        }
        for (Due d : actionsDue) {
            switch (d.kind()) {
                case EXPIRY -> {
                    Tracked t = book.inForce(d.id());
                    if (t != null && t.action.expires() == d.time()) {
                        revoke(t, ActionDecision.EXPIRED);
                    }
                }
                case DEPLOY_RETRY -> {
                    Tracked t = book.inForce(d.id());
                    if (t != null && t.retryAt == d.time()) {
                        stats.retries++;
                        dispatch(ActionOutcome.Call.DEPLOY, t);
                    }
                }
                default -> {
                    Tracked t = book.revoking(d.id());
                    if (t != null && t.retryAt == d.time()) {
                        stats.retries++;
                        dispatch(ActionOutcome.Call.REVOKE, t);
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
        if (d.kind() != Due.Kind.CONTEXT) {
            return book.stale(d);
        }
        ContextInstance i = contexts.get(d.id());
        return i == null || i.expires() != d.time();
    }

    /** True when no threat context holds and no action is in force or being revoked. */
    public boolean idle() {
        int steady = contexts.get(Policy.NOMINAL) == null ? 0 : 1;
        for (Policy.Context ctx : temporals) {
            steady += contexts.get(ctx.name()) == null ? 0 : 1;
        }
        return book.isEmpty() && contexts.size() == steady;
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
        return book.actions();
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
                    Map<Asker, Derived> by = desiredBy.get(actionId);
                    by.remove(new Asker(s, id));
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
            desiredBy.computeIfAbsent(x.action().id(), k -> new TreeMap<>()).put(new Asker(s, instance), x);
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
            Map<Asker, Derived> by = desiredBy.get(id);
            Tracked t = book.inForce(id);
            if (by == null) {
                book.forget(id);
                if (t != null) {
                    String winner = overruledBy.get(id);
                    revoke(t, winner != null ? ActionDecision.overruledBy(winner) : ActionDecision.CONTEXT_ENDED);
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
                    decide(Verdict.EXTEND, best, t.action.withExpiry(Math.max(t.action.expires(), best.action().expires())), null);
                }
            } else if (book.consumed(id) < stamp && best.action().expires() > now) {
                String refusal = safety.refusal(best.action(), best.by().subject(), now);
                decide(refusal == null ? Verdict.DEPLOY : Verdict.REFUSE, best, best.action(), refusal);
            }
        }
    }

    private void decide(Verdict verdict, Derived d, Action a, String reason) {
        ContextInstance in = d.by().context();
        record(new ActionDecision(clock.millis(), verdict, a, in.stamp(), d.by().rule().name(), d.by().rule().modality().key(),
                d.by().subject(), in.key(), reason, in.cause()));
        switch (verdict) {
            case DEPLOY -> stats.deploys++;
            case EXTEND -> stats.extensions++;
            default -> stats.refusals++;
        }
        if (verdict != Verdict.REFUSE) {
            dispatch(ActionOutcome.Call.DEPLOY, book.inForce(a.id()));
        }
    }

    /**
     * Revokes an action, with the event that ended its context as the cause when that is why, and
     * otherwise (expired, overruled) the cause of the decision that put it in force.
     */
    private void revoke(Tracked t, String reason) {
        Cause ended = reason.equals(ActionDecision.CONTEXT_ENDED) ? endedBy.get(t.instance.id()) : null;
        record(new ActionDecision(clock.millis(), Verdict.REVOKE, t.action, t.stamp, t.rule, t.modality, t.subject, t.instance,
                reason, ended != null ? ended : t.cause));
        stats.revokes++;
        dispatch(ActionOutcome.Call.REVOKE, book.revoking(t.action.id()));
    }

    private void dispatch(ActionOutcome.Call call, Tracked t) {
        t.retryAt = 0;
        Dispatcher.Call c = new Dispatcher.Call(call, t.action, t.attempt);
        if (dispatcher == null) {
            outcome(new Dispatcher.Result(c, ActionOutcome.Result.DRY_RUN, null));
        } else {
            dispatcher.call(c, this::completed);
        }
    }

    private void outcome(Dispatcher.Result r) {
        Long retryAt = null;
        Action action = r.call().action();
        if (r.outcome() == ActionOutcome.Result.FAILED) {
            stats.failures++;
            ActuatorConfig c = policy.actuators.get(action.actuator());
            if (r.call().attempt() < c.retryAttempts()) {
                long backoff = Math.min(MAX_BACKOFF_MS, c.retryBackoff().toMillis() << Math.min(20, r.call().attempt() - 1));
                retryAt = clock.millis() + backoff;
            }
            LOG.warn("{} {} failed (attempt {}): {}{}", r.call().call().key(), action.id(), r.call().attempt(), r.error(),
                    retryAt != null ? "; retrying" : "; giving up");
        }
        record(new ActionOutcome(clock.millis(), action.id(), r.call().call(), r.outcome(), r.call().attempt(), action.actuator(),
                r.error(), retryAt));
    }

    private ContextChange change(Change change, ContextInstance i) {
        return new ContextChange(clock.millis(), i.key(), change, i.stamp(), i.expires(), i.empowered(), i.cause());
    }

    /** Every change goes to the audit trail, then to the engine's state, then out. */
    private void record(ContextChange c) {
        Event e = write(c.toEvent());
        apply(c);
        out.accept(e);
    }

    private void record(ActionDecision d) {
        Event e = write(d.toEvent());
        book.apply(d);
        decisions.accept(d);
        out.accept(e);
    }

    private void record(ActionOutcome o) {
        Event e = write(o.toEvent());
        book.apply(o);
        out.accept(e);
    }

    private Event write(Event e) {
        if (audit != null) {
            audit.append(e);
        }
        return e;
    }

    /** The one place a context's state changes, live and when a trail is replayed (as {@link TimedActions#apply} for actions). */
    private void apply(ContextChange c) {
        String id = c.instance().id();
        if (c.change().holds()) {
            ContextInstance i = new ContextInstance(c.instance(), c.empowered(), c.stamp(), c.expires(), c.cause());
            contexts.put(i);
            if (i.expires() != Long.MAX_VALUE) {
                timers.add(new Due(i.expires(), Due.Kind.CONTEXT, i.id()));
            }
        } else {
            contexts.remove(id);
            endedBy.put(id, c.cause());
        }
    }
}
