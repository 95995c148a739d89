package dev.d2r2.policy;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.policy.actuator.ActuatorKinds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The policy role: alerts and alarms from broker channels into the {@link PolicyEngine}, its
 * context changes, decisions and outcomes onto the actions channel, the audit trail in a file
 * (replayed at start), and the actuators called on their own threads. One thread runs the engine.
 */
public final class PolicyRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRole.class);
    private static final Object WAKE = new Object();

    private final PolicyEngine engine;
    private final ActuatorDispatcher dispatcher;
    private final AuditLog audit;
    private final Clock clock;
    private final Publisher actions;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>(100_000);
    private final AtomicLong malformed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param dryRun decide and audit, call no actuator (also when the policy says {@code dry-run: true})
     */
    public PolicyRole(BrokerClient client, Policy policy, List<String> inputs, String actionChannel, Path auditFile,
                      boolean dryRun, Clock clock) throws IOException {
        this.clock = clock;
        this.audit = AuditLog.open(auditFile);
        List<Event> trail = AuditLog.read(auditFile, bad -> LOG.warn("audit trail: {} (skipped)", bad));
        boolean dry = dryRun || policy.safety().dryRun();
        Map<String, Actuator> actuators = new LinkedHashMap<>();
        if (!dry) {
            policy.actuators().forEach((name, c) -> actuators.put(name, ActuatorKinds.of(c.kind()).create(name, c)));
        }
        this.dispatcher = dry ? null : new ActuatorDispatcher(actuators);
        this.actions = client.publisher(actionChannel);
        this.engine = new PolicyEngine(policy, clock, dispatcher, actuators, audit, actions::publish);
        engine.onWakeup(() -> inbox.offer(WAKE));
        engine.restore(trail);
        if (!trail.isEmpty()) {
            LOG.info("policy: restored {} contexts and {} actions from {} audit records", engine.contexts().size(),
                    engine.actions().size(), trail.size());
        }
        engine.start();
        for (String tag : inputs) {
            subscriptions.add(client.subscribe(tag, StartPosition.live(), new Input(tag)));
        }
        this.thread = Thread.ofPlatform().name("d2r2-policy").start(this::run);
    }

    private final class Input implements DeliveryHandler {
        private final String tag;

        Input(String tag) {
            this.tag = tag;
        }

        @Override
        public void onEvent(Delivery d) {
            try {
                inbox.put(d.namedEvent());
            } catch (EventFormatException e) {
                malformed.incrementAndGet();
                LOG.warn("channel {}: malformed event at offset {} skipped: {}", tag, d.offset(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            try {
                long wait = Math.max(0, Math.min(engine.nextDue() - clock.millis(), 1000));
                Object item = inbox.poll(wait, TimeUnit.MILLISECONDS);
                if (item instanceof Event e) {
                    engine.accept(e);
                }
                engine.tick();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("policy engine failed on one input", e);
            }
        }
    }

    public PolicyEngine.Stats stats() {
        return engine.stats();
    }

    /** Events on the input channels that were not valid events. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        for (Subscription s : subscriptions) {
            s.close();
        }
        running = false;
        thread.interrupt();
        thread.join();
        if (dispatcher != null) {
            dispatcher.close();
        }
        engine.settle();
        audit.close();
        actions.close();
    }
}
