package dev.d2r2.policy;

import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.actuator.ActuatorException;
import dev.d2r2.policy.events.ActionOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls the real actuators: one virtual thread per actuator, so calls to one actuator happen one
 * at a time in decision order (a revoke never overtakes its deploy) while a slow webhook does
 * not hold up a firewall.
 */
public final class ActuatorDispatcher implements Dispatcher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActuatorDispatcher.class);
    private final Map<String, Actuator> actuators;
    private final Map<String, ExecutorService> lanes = new HashMap<>();

    public ActuatorDispatcher(Map<String, Actuator> actuators) {
        this.actuators = actuators;
        actuators.keySet().forEach(name -> lanes.put(name,
                Executors.newSingleThreadExecutor(Thread.ofVirtual().name("d2r2-actuator-" + name).factory())));
    }

    @Override
    public void call(Call call, Consumer<Result> done) {
        Actuator a = actuators.get(call.action().actuator());
        lanes.get(call.action().actuator()).execute(() -> {
            Result r;
            try {
                if (call.call() == ActionOutcome.Call.DEPLOY) {
                    a.deploy(call.action());
                } else {
                    a.revoke(call.action());
                }
                r = new Result(call, ActionOutcome.Result.OK, null);
            } catch (ActuatorException e) {
                r = new Result(call, e.refused() ? ActionOutcome.Result.REFUSED : ActionOutcome.Result.FAILED, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("actuator {} broke on {} {}", call.action().actuator(), call.call(), call.action().id(), e);
                r = new Result(call, ActionOutcome.Result.FAILED, e.toString());
            }
            done.accept(r);
        });
    }

    @Override
    public void close() throws InterruptedException {
        for (ExecutorService lane : lanes.values()) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes.values()) {
            lane.awaitTermination(10, TimeUnit.SECONDS);
        }
        actuators.values().forEach(Actuator::close);
    }
}
