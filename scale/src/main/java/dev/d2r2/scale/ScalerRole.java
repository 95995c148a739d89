package dev.d2r2.scale;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.scale.driver.Driver;
import dev.d2r2.scale.driver.DriverException;
import dev.d2r2.scale.driver.Instance;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.driver.Phases;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.LoadLevel;
import dev.d2r2.scale.events.ScaleStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The scaler role, an {@link Agent}: it keeps each instance type's pool between min and max,
 * judges its load from the edge (WARNING/CRITICAL held for their timespans: {@link LoadState})
 * and publishes {@code scale.load} changes — the alarms the policy engine turns into scaling
 * contexts — and carries out the {@link ScaleRequest}s its actuator API receives: a scale-out
 * sized by target tracking ({@link StepSizing}), a scale-in that drains before it stops.
 *
 * <p>Bringing an instance into service or out of it takes seconds, so each runs as a job on a
 * virtual thread of its own (the driver serialises its own changes); jobs hand their results and
 * events back through the inbox, and only the agent's thread changes the pools and publishes.
 * A new instance reaches the edge only after it answered SIP OPTIONS; one that never does is
 * stopped and reported. A scale-in never goes below min nor takes the last serving instance, and
 * an instance still carrying calls at its drain deadline is reported and left running. The policy
 * may close a cloud to a type ({@link CloneBan}): new instances then go to another cloud, or the
 * step is declined, saying which prohibition kept them out.
 */
public final class ScalerRole implements Agent, Scaling, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScalerRole.class);
    static final int INBOX_CAPACITY = 10_000;
    private static final Duration PROBE_EVERY = Duration.ofMillis(100);
    private static final Duration FIRST_CALL_POLL = Duration.ofMillis(20);
    private static final Duration DRAIN_POLL = Duration.ofMillis(100);
    public static final String INITIAL = "initial";
    /** The step of an adopted instance's health check and admission. */
    public static final String ADOPTED = "adopted";

    private final ScaleConfig config;
    private final EdgeClient edge;
    private final ScalerOptions options;
    private final Clock clock;
    private final Consumer<Event> publish;
    private final Lifecycle lifecycle;
    private final Driver driver;
    private final Map<String, Pool> pools = new LinkedHashMap<>();
    private final PlacementPolicy placement;
    private final CloneBans bans = new CloneBans();
    private final ExecutorService jobs = Executors.newVirtualThreadPerTaskExecutor();
    /** The awaited steps under way, by step id. */
    private final Map<String, Watch> watched = new HashMap<>();
    private final AgentRunner runner;
    private volatile boolean closing;
    private Thread poller;

    /** One type's instances, as the agent sees them. */
    private static final class Pool {
        final String type;
        final InstanceType spec;
        final LoadState load;
        final Map<String, Instance> serving = new LinkedHashMap<>();
        final Map<String, Instance> draining = new LinkedHashMap<>();
        final Map<String, Integer> pendingByCloud = new HashMap<>();
        final Set<String> replacing = new HashSet<>();
        long lastOut = Long.MIN_VALUE / 2;
        long lastIn = Long.MIN_VALUE / 2;
        double tracked = Double.NaN;
        LoadState.Level level = LoadState.Level.OK;

        Pool(String type, InstanceType spec) {
            this.type = type;
            this.spec = spec;
            this.load = new LoadState(spec);
        }

        int pending() {
            return pendingByCloud.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Instances a step added that are not serving yet (a replacement leaves the pool's size as it was). */
        int coming() {
            return pending() - replacing.size();
        }

        int size() {
            return serving.size() + pending();
        }
    }

    /** A new instance in service; {@code replacing} the one it replaces, or null. */
    private record Up(String type, String cloud, Instance instance, Instance replacing, String step) {
    }

    /** A new instance that did not come into service; {@code instance} is null when the driver failed before naming it. */
    private record Failed(String type, String cloud, String instance, String why, Instance replacing, String step) {
    }

    /** An instance taken out and stopped; {@code step} the scale-in's, or null. */
    private record Gone(String type, Instance instance, String step) {
    }

    /** An instance a scale-in could not stop: left at its drain deadline, or stopped short. */
    private record Kept(String step, String why) {
    }

    /**
     * An awaited step ({@link AwaitedStep}): the jobs it started and not yet over, what failed, and
     * who waits for its end. A scale-out none of whose instances came into service gives its pool's
     * cooldown back, so that a retry of the action tries again rather than being declined.
     */
    private static final class Watch {
        final List<CompletableFuture<AwaitedStep.End>> waiters = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        int left;
        int started;
        String declined;
        /** The pool a scale-out grew, its cooldown's start before the step and the step's own. */
        Pool scaledOut;
        long outBefore;
        long outAt;
    }

    /**
     * Starts the role: each type's min instances are started and added to the edge.
     *
     * @param drivers makes the driver, given the lifecycle it reports instances' changes to
     * @param publish called on the agent's thread with every event the role and its driver publish
     */
    public ScalerRole(ScaleConfig config, Function<Lifecycle, Driver> drivers, EdgeClient edge, ScalerOptions options, Clock clock,
                      Consumer<Event> publish) {
        this.config = config;
        this.placement = new PlacementPolicy(config);
        this.edge = edge;
        this.options = options;
        this.clock = clock;
        this.publish = publish;
        this.lifecycle = new Lifecycle(clock, change -> tell(change.toEvent()));
        this.driver = drivers.apply(lifecycle);
        this.runner = new AgentRunner(this, INBOX_CAPACITY, clock);
        runner.start();
    }

    @Override
    public String roleName() {
        return "scaler";
    }

    @Override
    public void onStart() {
        config.types().forEach((name, spec) -> pools.put(name, new Pool(name, spec)));
        restore(options.restoredBans());
        for (Instance i : adopted()) {
            Pool p = pools.get(i.type());
            if (Lifecycle.DRAINING.equals(lifecycle.state(i.name()))) {
                p.draining.put(i.name(), i);
                jobs.submit(() -> takeOut(p.type, i, p.spec.drainDeadline(), "drain resumed after a restart", null));
            } else {
                p.pendingByCloud.merge(i.cloud(), 1, Integer::sum);
                jobs.submit(() -> rejoin(i));
            }
        }
        for (Pool p : pools.values()) {
            for (int i = p.size() + p.draining.size(); i < p.spec.min(); i++) {
                launch(p, INITIAL, null);
            }
        }
        if (options.poll() != null) {
            poller = Thread.ofVirtual().name("d2r2-scaler-poll").start(this::poll);
        }
    }

    /** Hands a message to the agent from any thread; false when its inbox is full. */
    @Override
    public boolean submit(Object message) {
        return runner.offer(message);
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Event e -> publish.accept(e);
            case ScaleRequest r -> request(r);
            case ReplaceRequest r -> replace(r);
            case AwaitedStep a -> awaited(a);
            case CloneBan b -> forbid(b);
            case CloneBan.Lift l -> lift(l);
            case Observation o -> observe(o);
            case Up u -> {
                Pool p = pools.get(u.type());
                p.pendingByCloud.merge(u.cloud(), -1, Integer::sum);
                p.serving.put(u.instance().name(), u.instance());
                if (u.replacing() != null) {
                    retire(p, u.replacing());
                }
                finish(u.step(), null);
            }
            case Failed f -> {
                Pool p = pools.get(f.type());
                p.pendingByCloud.merge(f.cloud(), -1, Integer::sum);
                String why = (f.instance() == null ? "a " + f.type() + " instance" : f.instance()) + " in " + f.cloud()
                        + " did not come into service: " + f.why();
                LOG.warn("scaler: {}", why);
                if (f.replacing() != null) {
                    p.replacing.remove(f.replacing().name());
                    LOG.warn("scaler: {} is kept: its replacement failed", f.replacing().name());
                }
                finish(f.step(), why);
            }
            case Gone g -> {
                pools.get(g.type()).draining.remove(g.instance().name());
                finish(g.step(), null);
            }
            case Kept k -> finish(k.step(), k.why());
            default -> throw new IllegalArgumentException("unexpected message " + message);
        }
    }

    /**
     * A step the API's caller waits for. A second call for a step still under way (the policy's
     * retry of a call whose answer it did not get in time) waits for the same step, never starts
     * another one.
     */
    private void awaited(AwaitedStep a) {
        Watch w = watched.get(a.step());
        if (w != null) {
            w.waiters.add(a.done());
            return;
        }
        w = new Watch();
        w.waiters.add(a.done());
        watched.put(a.step(), w);
        try {
            onMessage(a.request());
        } catch (RuntimeException e) {
            w.started++;
            w.failures.add(e.getMessage());
            throw e;
        } finally {
            if (w.left == 0) {
                end(a.step(), w);
            }
        }
    }

    /** An awaited step declined: it ends at once, with the reason. */
    private void nothingToDo(String step, String why) {
        Watch w = watched.get(step);
        if (w != null) {
            w.declined = why;
        }
    }

    /** One more job of {@code step} under way, when the step is awaited. */
    private void join(String step) {
        Watch w = step == null ? null : watched.get(step);
        if (w != null) {
            w.left++;
            w.started++;
        }
    }

    /** One job of {@code step} over, failed with {@code failure} (null: it did what it was for). */
    private void finish(String step, String failure) {
        Watch w = step == null ? null : watched.get(step);
        if (w == null) {
            return;
        }
        if (failure != null) {
            w.failures.add(failure);
        }
        if (--w.left == 0) {
            end(step, w);
        }
    }

    private void end(String step, Watch w) {
        watched.remove(step);
        AwaitedStep.End end;
        if (w.failures.isEmpty()) {
            end = new AwaitedStep.End(true, w.declined);
        } else {
            end = AwaitedStep.End.failed(w.failures.size() == 1 ? w.failures.getFirst()
                    : w.failures.size() + " of " + w.started + " failed: " + String.join("; ", w.failures));
            if (w.scaledOut != null && w.failures.size() == w.started && w.scaledOut.lastOut == w.outAt) {
                w.scaledOut.lastOut = w.outBefore;
            }
        }
        w.waiters.forEach(f -> f.complete(end));
    }

    /** What a previous run left running, so that none is started twice; none when the driver cannot say. */
    private List<Instance> adopted() {
        try {
            return driver.adopt();
        } catch (DriverException e) {
            runner.errors().warn("adopt", "scaler: could not adopt what a previous run left: " + e.getMessage());
            return List.of();
        }
    }

    private void request(ScaleRequest r) {
        Pool p = pools.get(r.type());
        if (p == null) {
            throw new IllegalArgumentException("unknown instance type " + r.type());
        }
        if (r.op().equals(ScaleRequest.OUT)) {
            scaleOut(p, r.step());
        } else {
            scaleIn(p, r.step());
        }
    }

    private void scaleOut(Pool p, String step) {
        long now = clock.millis();
        int n = p.size();
        long since = now - p.lastOut;
        if (since < p.spec.cooldown().out().toMillis()) {
            declined(p, "out", n, step, "cooldown: the last scale-out was " + since + " ms ago");
            return;
        }
        Target t = p.spec.target();
        double load = Double.isNaN(p.tracked) ? n * t.perInstance() : p.tracked;
        int sized = StepSizing.desired(n, load, t.perInstance(), p.spec.min(), p.spec.max(), p.spec.largestStep());
        if (sized <= n && p.coming() > 0) {
            declined(p, "out", n, step, p.coming() + " instances coming into service carry the load");
            return;
        }
        int desired = Math.max(sized, Math.min(p.spec.max(), n + 1));
        if (desired <= n) {
            declined(p, "out", n, step, "at max (" + p.spec.max() + ")");
            return;
        }
        int launched = 0;
        String why = null;
        for (int i = n; i < desired; i++) {
            PlacementPolicy.Placement placed = launch(p, step, null);
            why = placed.why() != null ? placed.why() : why;
            if (placed.cloud() == null) {
                break;
            }
            launched++;
        }
        if (launched == 0) {
            declined(p, "out", n, step, why);
            return;
        }
        publish.accept(new ScaleStep(now, p.type, "out", n, n + launched, step, why).toEvent());
        Watch w = watched.get(step);
        if (w != null) {
            w.scaledOut = p;
            w.outBefore = p.lastOut;
            w.outAt = now;
        }
        p.lastOut = now;
        p.load.restart();
    }

    private void scaleIn(Pool p, String step) {
        long now = clock.millis();
        int n = p.size();
        long since = now - Math.max(p.lastIn, p.lastOut);
        if (since < p.spec.cooldown().in().toMillis()) {
            declined(p, "in", n, step, "cooldown: the last step was " + since + " ms ago");
            return;
        }
        if (Double.isNaN(p.tracked)) {
            declined(p, "in", n, step, "no load reading yet");
            return;
        }
        Target t = p.spec.target();
        int desired = Math.min(StepSizing.desired(n, p.tracked, t.perInstance(), p.spec.min(), p.spec.max(), p.spec.largestStep()), n - 1);
        int remove = Math.min(n - Math.max(desired, p.spec.min()), p.serving.size() - 1);
        if (remove <= 0) {
            declined(p, "in", n, step, p.serving.size() <= 1 ? "never the last serving instance" : "at min (" + p.spec.min() + ")");
            return;
        }
        publish.accept(new ScaleStep(now, p.type, "in", n, n - remove, step, null).toEvent());
        p.lastIn = now;
        p.load.restart();
        List<Instance> newestFirst = new ArrayList<>(p.serving.values()).reversed();
        for (Instance i : newestFirst.subList(0, remove)) {
            p.serving.remove(i.name());
            p.draining.put(i.name(), i);
            join(step);
            jobs.submit(() -> takeOut(p.type, i, p.spec.drainDeadline(), "scaled in", step));
        }
    }

    /**
     * Make before break: a clone of another serving instance is brought into service, and only then
     * is the replaced one drained and stopped ({@link #retire}); if the clone fails, the instance is
     * kept. The pool's size does not change, so no cooldown applies: the policy's rate limit bounds it.
     */
    private void replace(ReplaceRequest r) {
        Pool p = null;
        Instance culprit = null;
        for (Pool pool : pools.values()) {
            for (Instance i : pool.serving.values()) {
                if (i.address().equals(r.address())) {
                    p = pool;
                    culprit = i;
                }
            }
        }
        if (culprit == null) {
            runner.errors().warn("replace", "scaler: no instance serves at " + r.address() + ", nothing to replace (" + r.step() + ")");
            nothingToDo(r.step(), "no instance serves at " + r.address());
            return;
        }
        int n = p.size();
        if (p.replacing.contains(culprit.name())) {
            declined(p, ReplaceRequest.OP, n, r.step(), culprit.name() + " is already being replaced");
            return;
        }
        PlacementPolicy.Placement placed = launch(p, r.step(), culprit);
        if (placed.cloud() == null) {
            declined(p, ReplaceRequest.OP, n, r.step(), "no cloud for the replacement of " + culprit.name() + ": " + placed.why());
            return;
        }
        p.replacing.add(culprit.name());
        publish.accept(new ScaleStep(clock.millis(), p.type, ReplaceRequest.OP, n, n, r.step(), placed.why()).toEvent());
    }

    /** The replacement of {@code i} serves: {@code i} is taken out as a scale-in would. */
    private void retire(Pool p, Instance i) {
        p.replacing.remove(i.name());
        if (p.serving.remove(i.name()) != null) {
            p.draining.put(i.name(), i);
            jobs.submit(() -> takeOut(p.type, i, p.spec.drainDeadline(), "replaced", null));
        }
    }

    private void declined(Pool p, String direction, int n, String step, String why) {
        nothingToDo(step, why);
        publish.accept(new ScaleStep(clock.millis(), p.type, direction, n, n, step, why).toEvent());
    }

    /**
     * A new instance: a clone of a serving one when there is one (a start otherwise), in the cloud
     * {@link PlacementPolicy} picks among those the policy leaves open; never a clone of the
     * instance it replaces while another serves. The placement has no cloud when none can take it.
     */
    private PlacementPolicy.Placement launch(Pool p, String step, Instance replacing) {
        long now = clock.millis();
        PlacementPolicy.Placement placed = placement.place(p.type, used(), cloud -> bans.forbidding(p.type, cloud, now));
        if (placed.cloud() == null) {
            LOG.warn("scaler: {}", placed.why());
            return placed;
        }
        String cloud = placed.cloud();
        p.pendingByCloud.merge(cloud, 1, Integer::sum);
        join(step);
        Instance source = p.serving.values().stream().filter(i -> i != replacing).findFirst().orElse(replacing);
        jobs.submit(() -> bringIn(p.type, cloud, source, step, replacing));
        return placed;
    }

    /** What a previous run left in force, before anything is placed; a ban on a cloud or type no longer declared is dropped. */
    private void restore(List<CloneBan> restored) {
        for (CloneBan b : restored) {
            if (config.clouds().containsKey(b.cloud()) && (b.type() == null || pools.containsKey(b.type()))) {
                forbid(b);
            } else {
                LOG.warn("scaler: {} is not restored: its cloud or type is no longer declared", b.action());
            }
        }
    }

    /** A policy prohibition closes a cloud to a type (or every type); instances already there keep serving. */
    private void forbid(CloneBan b) {
        if (!config.clouds().containsKey(b.cloud()) || b.type() != null && !pools.containsKey(b.type())) {
            throw new IllegalArgumentException("a clone ban on an unknown cloud or type: " + b);
        }
        String before = state(b);
        bans.put(b);
        publishAccess(b, before, CloudAccess.FORBID);
    }

    private void lift(CloneBan.Lift l) {
        CloneBan b = bans.lift(l.action());
        if (b != null) {
            publishAccess(b, CloudAccess.FORBIDDEN, CloudAccess.LIFT);
        }
    }

    /** Whether the bans in force close {@code b}'s cloud to {@code b}'s type (or to every type). */
    private String state(CloneBan b) {
        return bans.closes(b.cloud(), b.type(), clock.millis()) ? CloudAccess.FORBIDDEN : CloudAccess.OPEN;
    }

    private void publishAccess(CloneBan b, String from, String change) {
        String type = b.type() == null ? CloudAccess.EVERY_TYPE : b.type();
        publish.accept(new CloudAccess(clock.millis(), b.cloud(), from, state(b), type, b.action(), change, b.expires()).toEvent());
    }

    /** The instances each cloud holds, of every type: starting, serving and draining. */
    private Map<String, Integer> used() {
        Map<String, Integer> used = new HashMap<>();
        for (Pool p : pools.values()) {
            p.pendingByCloud.forEach((c, n) -> used.merge(c, n, Integer::sum));
            p.serving.values().forEach(i -> used.merge(i.cloud(), 1, Integer::sum));
            p.draining.values().forEach(i -> used.merge(i.cloud(), 1, Integer::sum));
        }
        return used;
    }

    /** On a job thread: start or clone, health check, add to the edge, wait for the first call. */
    private void bringIn(String type, String cloud, Instance source, String step, Instance replacing) {
        Phases phases = new Phases(clock, step, type + "-new", cloud, p -> tell(p.toEvent()));
        Instance instance = null;
        boolean inService = false;
        try {
            instance = source != null ? driver.clone(source, cloud, phases) : driver.start(type, cloud, phases);
            Instance i = instance;
            admit(i, phases, replacing, step);
            inService = true;
            phases.run(Phases.FIRST_CALL, () -> awaitFirstCall(i));
        } catch (Exception e) {
            if (!inService) {
                giveUp(type, cloud, instance, e, replacing, step);
            } else {
                LOG.info("scaler: {} serves, but no call reached it: {}", instance.name(), e.getMessage());
            }
        }
    }

    /** Health check, then the edge (unless it has the instance already), then in service. */
    private void admit(Instance i, Phases phases, Instance replacing, String step) throws Exception {
        phases.run(Phases.HEALTH, () -> {
            if (!SipProbe.healthy(i.host(), i.port(), options.healthDeadline(), PROBE_EVERY)) {
                throw new DriverException("no answer to SIP OPTIONS within " + options.healthDeadline().toMillis() + " ms");
            }
            return null;
        });
        lifecycle.move(i, Lifecycle.HEALTHY, null);
        phases.run(Phases.EDGE, () -> {
            if (!edge.dialogs().containsKey(i.address())) {
                edge.add(i.address());
            }
            return null;
        });
        lifecycle.move(i, Lifecycle.SERVING, null);
        tell(new Up(i.type(), i.cloud(), i, replacing, step));
    }

    /** On a job thread: an adopted instance is checked and admitted like a new one (an edge that outlived the scaler keeps it). */
    private void rejoin(Instance i) {
        try {
            admit(i, new Phases(clock, ADOPTED, i.name(), i.cloud(), p -> tell(p.toEvent())), null, ADOPTED);
        } catch (Exception e) {
            giveUp(i.type(), i.cloud(), i, e, null, ADOPTED);
        }
    }

    private void giveUp(String type, String cloud, Instance instance, Exception e, Instance replacing, String step) {
        String why = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
        if (instance != null) {
            lifecycle.move(instance, Lifecycle.FAILED, why);
            try {
                driver.stop(instance, why);
            } catch (DriverException stop) {
                LOG.warn("scaler: {}", stop.getMessage());
            }
        }
        tell(new Failed(type, cloud, instance == null ? null : instance.name(), why, replacing, step));
    }

    private void tell(Object message) {
        if (!runner.offer(message)) {
            runner.errors().warn("inbox-full", "scaler: inbox full, " + message + " lost");
        }
    }

    private Void awaitFirstCall(Instance i) throws IOException, DriverException, InterruptedException {
        long end = System.nanoTime() + options.firstCallDeadline().toNanos();
        while (System.nanoTime() < end && !closing) {
            if (edge.dialogs().getOrDefault(i.address(), 0L) > 0) {
                return null;
            }
            if (!Lifecycle.SERVING.equals(lifecycle.state(i.name()))) {
                throw new DriverException("left service before its first call");
            }
            Thread.sleep(FIRST_CALL_POLL);
        }
        throw new DriverException("no call within " + options.firstCallDeadline().toMillis() + " ms");
    }

    /** On a job thread: drain at the edge, wait until no call is left (or report at the deadline), then stop, saying why. */
    private void takeOut(String type, Instance i, Duration deadline, String reason, String step) {
        try {
            // the driver's mark first: a crash before the edge's drain leaves an instance the next run drains
            driver.drain(i);
            edge.drain(i.address());
            long end = System.nanoTime() + deadline.toNanos();
            long calls = edge.dialogs().getOrDefault(i.address(), 0L);
            while (calls > 0 && System.nanoTime() < end && !closing) {
                Thread.sleep(DRAIN_POLL);
                calls = edge.dialogs().getOrDefault(i.address(), 0L);
            }
            if (calls > 0) {
                String why = "drain deadline of " + deadline.toSeconds() + " s passed with " + calls + " calls: left running, not killed";
                lifecycle.move(i, Lifecycle.DRAINING, why);
                tell(new Kept(step, i.name() + ": " + why));
                return;
            }
            lifecycle.move(i, Lifecycle.DRAINED, null);
            edge.remove(i.address());
            driver.stop(i, reason);
            tell(new Gone(type, i, step));
        } catch (IOException | DriverException e) {
            String why = reason + ", stopped short: " + e.getMessage();
            lifecycle.move(i, Lifecycle.DRAINING, why);
            tell(new Kept(step, i.name() + ": " + why));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On the poller thread: reads the edge every poll interval and hands the agent what it read. */
    private void poll() {
        while (!closing) {
            try {
                double rate = options.edgeMetrics() == null ? Double.NaN : EdgeMetrics.inviteRate(options.edgeMetrics());
                tell(new Observation(clock.millis(), edge.dialogs(), rate));
            } catch (IOException e) {
                runner.errors().warn("poll", "scaler: reading the edge failed: " + e.getMessage());
            }
            try {
                Thread.sleep(options.poll());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void observe(Observation o) {
        for (Pool p : pools.values()) {
            int n = p.serving.size();
            if (n == 0) {
                continue;
            }
            long calls = 0;
            for (Instance i : p.serving.values()) {
                calls += o.dialogs().getOrDefault(i.address(), 0L);
            }
            Map<String, Double> values = new HashMap<>();
            values.put(ScaleDown.ACTIVE_CALLS, (double) calls / n);
            if (!Double.isNaN(o.callsPerSecond())) {
                values.put(EdgeMetrics.CALLS_PER_S, o.callsPerSecond() / n);
            }
            Double perInstance = values.get(p.spec.target().metric());
            p.tracked = perInstance == null ? Double.NaN : perInstance * n;
            if (p.coming() > 0) {
                // the reading is of the pool before its step: judged now, it would look as overloaded as
                // before (ok at first, the held times having restarted), and the policy would order the
                // same capacity again; the pool is judged afresh once its new instances serve or fail
                continue;
            }
            LoadState.Level level = p.load.observe(o.time(), values);
            if (level != p.level) {
                Target t = p.spec.target();
                int desired = Double.isNaN(p.tracked) ? p.size()
                        : StepSizing.desired(p.size(), p.tracked, t.perInstance(), p.spec.min(), p.spec.max(), p.spec.largestStep());
                publish.accept(new LoadLevel(o.time(), p.type, name(p.level), name(level), p.size(), desired,
                        Double.isNaN(p.tracked) ? 0 : p.tracked, describe(values)).toEvent());
                p.level = level;
            }
        }
    }

    private static String name(LoadState.Level l) {
        return l.name().toLowerCase(Locale.ROOT);
    }

    private static String describe(Map<String, Double> perInstance) {
        StringBuilder b = new StringBuilder("per instance:");
        perInstance.forEach((k, v) -> b.append(' ').append(k).append(' ').append(String.format(Locale.ROOT, "%.1f", v)));
        return b.toString();
    }

    /** The instances and their states, for the API (any thread). */
    @Override
    public List<Map<String, String>> instances() {
        List<Map<String, String>> out = new ArrayList<>();
        for (Instance i : driver.list()) {
            String state = lifecycle.state(i.name());
            out.add(Map.of("name", i.name(), "type", i.type(), "cloud", i.cloud(), "address", i.address(),
                    "state", state == null ? "unknown" : state));
        }
        return out;
    }

    @Override
    public boolean serves(String address) {
        return driver.list().stream().anyMatch(i -> i.address().equals(address) && Lifecycle.SERVING.equals(lifecycle.state(i.name())));
    }

    @Override
    public boolean knows(String type) {
        return config.types().containsKey(type);
    }

    @Override
    public boolean hasCloud(String cloud) {
        return config.clouds().containsKey(cloud);
    }

    @Override
    public void onClose() {
        closing = true;
        watched.values().forEach(w -> w.waiters.forEach(f -> f.complete(AwaitedStep.End.failed("the scaler stopped before the step was over"))));
        watched.clear();
        if (poller != null) {
            poller.interrupt();
        }
        jobs.shutdownNow();
        driver.close();
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
