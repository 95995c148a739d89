package dev.d2r2.scale.driver;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.events.InstanceChange;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The states of every instance's life, shared by the driver (starting, running, draining,
 * stopped, failed) and the scaler (healthy, serving, drained): each move is reported as a
 * {@code scale.instance} event that names the state it leaves.
 */
public final class Lifecycle {
    public static final String STARTING = "starting";
    public static final String RUNNING = "running";
    public static final String HEALTHY = "healthy";
    public static final String SERVING = "serving";
    public static final String DRAINING = "draining";
    public static final String DRAINED = "drained";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";

    private final Clock clock;
    private final Consumer<InstanceChange> sink;
    private final Map<String, String> states = new ConcurrentHashMap<>();

    public Lifecycle(Clock clock, Consumer<InstanceChange> sink) {
        this.clock = clock;
        this.sink = sink;
    }

    public void move(Instance i, String to, String why) {
        String from = to.equals(STOPPED) ? states.remove(i.name()) : states.put(i.name(), to);
        sink.accept(new InstanceChange(clock.millis(), i.name(), from, to, i.type(), i.cloud(), i.address(), why));
    }

    /** The instance's state; null for one stopped or never seen. */
    public String state(String instance) {
        return states.get(instance);
    }
}
