package dev.d2r2.policy;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.policy.actuator.ActuatorKinds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy role, an {@link Agent}: alerts and alarms from broker channels into the
 * {@link PolicyEngine}, its context changes, decisions and outcomes onto the actions channel, the
 * audit trail in a file (replayed at start), and the actuators called on their own threads. The
 * engine and the actions publisher live on the agent's thread; broker deliveries and actuator
 * results only reach it through the runner's inbox.
 */
public final class PolicyRole implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRole.class);
    /** The channel the role reads by default: the chronicles' alerts. */
    public static final String DEFAULT_INPUT = "alerts";
    /** The channel of its context changes, decisions and outcomes by default. */
    public static final String DEFAULT_ACTIONS = "actions";
    static final int INBOX_CAPACITY = 100_000;
    static final String MALFORMED = "malformed";
    /** Tells the agent that actuator results are waiting. */
    private static final Object RESULTS = new Object();

    private final BrokerClient client;
    private final Policy policy;
    private final List<String> inputs;
    private final String actionChannel;
    private final List<Event> trail;
    private final Map<String, Actuator> actuators;
    private final ActuatorDispatcher dispatcher;
    private final AuditLog audit;
    private final Clock clock;
    private final AgentRunner runner;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private Publisher actions;
    private PolicyEngine engine;

    /**
     * Replays the audit trail and starts the role; returns once it is subscribed to its inputs.
     *
     * @param dryRun decide and audit, call no actuator (also when the policy says {@code dry-run: true})
     */
    public PolicyRole(BrokerClient client, Policy policy, List<String> inputs, String actionChannel, Path auditFile,
                      boolean dryRun, Clock clock) throws IOException {
        this.client = client;
        this.policy = policy;
        this.inputs = List.copyOf(inputs);
        this.actionChannel = actionChannel;
        this.clock = clock;
        this.audit = AuditLog.open(auditFile);
        this.trail = AuditLog.read(auditFile, bad -> LOG.warn("audit trail: {} (skipped)", bad));
        boolean dry = dryRun || policy.safety().dryRun();
        this.actuators = new LinkedHashMap<>();
        if (!dry) {
            policy.actuators().forEach((name, c) -> actuators.put(name, ActuatorKinds.of(c.kind()).create(name, c)));
        }
        this.dispatcher = dry ? null : new ActuatorDispatcher(actuators);
        this.runner = new AgentRunner(this, INBOX_CAPACITY, clock);
        runner.start();
    }

    @Override
    public String roleName() {
        return "policy";
    }

    @Override
    public void onStart() {
        actions = client.publisher(actionChannel);
        engine = new PolicyEngine(policy, clock, dispatcher, actuators, audit, actions::publish);
        engine.onWakeup(() -> runner.offer(RESULTS));
        engine.restore(trail);
        if (!trail.isEmpty()) {
            LOG.info("policy: restored {} contexts and {} actions from {} audit records", engine.contexts().size(),
                    engine.actions().size(), trail.size());
        }
        engine.start();
        for (String tag : inputs) {
            subscriptions.add(client.subscribe(tag, StartPosition.live(), d -> take(tag, d)));
        }
    }

    /** A broker delivery thread: hands the event to the agent, waiting while its inbox is full. */
    private void take(String tag, Delivery d) {
        try {
            runner.deliver(d.namedEvent());
        } catch (EventFormatException e) {
            runner.errors().warn(MALFORMED, "channel " + tag + ": malformed event at offset " + d.offset() + " skipped: "
                    + e.getMessage());
        }
    }

    @Override
    public void onMessage(Object message) {
        if (message instanceof Event e) {
            engine.accept(e);
        } else if (message == RESULTS) {
            engine.settle();
        }
    }

    @Override
    public long nextDueMillis() {
        return engine.nextDue();
    }

    @Override
    public void onTimer(long nowMillis) {
        engine.tick();
    }

    /** Stops the inputs, lets the calls in flight finish and records their outcomes, then closes the trail. */
    @Override
    public void onClose() throws Exception {
        subscriptions.forEach(Subscription::close);
        try {
            if (dispatcher != null) {
                dispatcher.close();
            }
            if (engine != null) {
                engine.settle();
            }
        } finally {
            audit.close();
            if (actions != null) {
                actions.close();
            }
        }
    }

    public PolicyEngine.Stats stats() {
        return engine.stats();
    }

    /** Events on the input channels that were not valid events. */
    public long malformed() {
        return runner.errors().count(MALFORMED);
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
