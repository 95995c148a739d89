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

    /**
     * Takes into its books the instances a previous run of this driver left running, reports each
     * (its state moves to {@code running}, or {@code draining} for one that was being drained) and
     * returns them, so that a restarted scaler starts no duplicates. An instance the previous run
     * left half-started is stopped and reported, not adopted.
     */
    List<Instance> adopt() throws DriverException;

    /**
     * Releases the driver. The process driver stops every instance (a crash of the scaler leaves
     * them running, for the next run to {@link #adopt}); the kubernetes driver leaves its pods to
     * the cluster, for the next run to adopt.
     */
    @Override
    void close();
}
