package dev.d2r2.scale.driver;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.events.PhaseTimed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times the phases of one step that brings an instance into service and reports each as a
 * {@code scale.phase} event as soon as it ends. Used on one thread.
 */
public final class Phases {
    public static final String SNAPSHOT = "snapshot";
    public static final String TRANSFER = "transfer";
    public static final String REGISTER = "register";
    public static final String CONFIGURE = "configure";
    public static final String BOOT = "boot";
    public static final String HEALTH = "health";
    public static final String EDGE = "edge";
    public static final String FIRST_CALL = "first-call";

    /** A phase's work. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    private final Clock clock;
    private final String step;
    private final String cloud;
    private final Consumer<PhaseTimed> sink;
    private final List<PhaseTimed> done = new ArrayList<>();
    private String instance;

    public Phases(Clock clock, String step, String instance, String cloud, Consumer<PhaseTimed> sink) {
        this.clock = clock;
        this.step = step;
        this.cloud = cloud;
        this.instance = instance;
        this.sink = sink;
    }

    /** The instance's name, once the register phase has given it one. */
    public void instance(String name) {
        instance = name;
    }

    public <T> T run(String phase, Work<T> work) throws Exception {
        long start = clock.nanos();
        String failure = "interrupted";
        try {
            T result = work.run();
            failure = null;
            return result;
        } catch (Exception e) {
            failure = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            throw e;
        } finally {
            PhaseTimed p = new PhaseTimed(clock.millis(), instance, cloud, phase, (clock.nanos() - start) / 1_000_000, step, failure);
            done.add(p);
            sink.accept(p);
        }
    }

    /** A driver's phase: its own {@link DriverException} passes, any other failure becomes one that names the phase. */
    public <T> T step(String phase, Work<T> work) throws DriverException {
        try {
            return run(phase, work);
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            throw new DriverException(phase + ": " + e.getMessage(), e);
        }
    }

    public List<PhaseTimed> done() {
        return Collections.unmodifiableList(done);
    }

    public String step() {
        return step;
    }
}
