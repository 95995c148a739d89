package dev.d2r2.scale.driver;

import java.util.List;

/**
 * Where instances run: a driver starts them, clones a running one (into another cloud, too),
 * drains and stops them, and lists what it runs. Each change of an instance's life is reported as
 * a {@code scale.instance} event, each phase of a start or clone as a {@code scale.phase} (through
 * the {@link Phases} it is given). Thread-safe: the scaler runs a job per instance.
 */
public interface Driver extends AutoCloseable {
    /** Registers, configures and boots a new instance of {@code type} in {@code cloud}; returns once its process runs. */
    Instance start(String type, String cloud, Phases phases) throws DriverException;

    /**
     * Snapshots {@code source} (its state and its image artifact), transfers the snapshot to
     * {@code cloud} (once, straight there), then registers, configures and boots the clone.
     */
    Instance clone(Instance source, String cloud, Phases phases) throws DriverException;

    /** The driver's part of a drain (the edge stops new calls to it); the instance goes on serving its calls. */
    void drain(Instance instance) throws DriverException;

    /** Stops the instance and frees what it held. */
    void stop(Instance instance, String why) throws DriverException;

    List<Instance> list();

    /** Stops every instance and removes what the driver set up. */
    @Override
    void close();
}
