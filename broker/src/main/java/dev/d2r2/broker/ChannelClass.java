package dev.d2r2.broker;

import java.util.Objects;

/**
 * A channel's class: its quality of service (ordering, priority, persistence, subscriber queue)
 * and its quality of protection (fault model, protection).
 *
 * @param priority 0 (least urgent) to 9 (most urgent); urgent channels are delivered first
 * @param queueCapacity the most events queued per subscriber
 */
public record ChannelClass(Ordering ordering, int priority, Persistence persistence, FsyncPolicy fsync,
                           int queueCapacity, OverflowPolicy overflow,
                           FaultModel faultModel, Protection protection, Durability durability) {
    public static final int DEFAULT_QUEUE_CAPACITY = 8192;
    public static final ChannelClass DEFAULT = new ChannelClass(Ordering.FIFO, 5, Persistence.NONE,
            FsyncPolicy.NEVER, DEFAULT_QUEUE_CAPACITY, OverflowPolicy.DROP_OLDEST, FaultModel.CRASH, Protection.SI, Durability.LOCAL);

    public ChannelClass {
        Objects.requireNonNull(ordering, "ordering");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(overflow, "overflow");
        Objects.requireNonNull(faultModel, "faultModel");
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(durability, "durability");
        if (durability == Durability.REPLICATED && persistence != Persistence.LOG) {
            throw new IllegalArgumentException("durability replicated needs persistence log (the replicas' logs hold the events)");
        }
        if (durability == Durability.ORDERED && (persistence != Persistence.LOG
                || (protection != Protection.PKS && protection != Protection.PKE))) {
            throw new IllegalArgumentException("durability ordered needs persistence log and protection PKS or PKE"
                    + " (every replica checks each decided event's signature with its publisher's public key)");
        }
        if (durability == Durability.ORDERED && overflow == OverflowPolicy.BLOCK) {
            throw new IllegalArgumentException("durability ordered cannot have overflow block (a full subscriber queue"
                    + " would stall the replica's part in the ordering protocol): use drop-oldest or disconnect");
        }
        if (priority < 0 || priority > 9) {
            throw new IllegalArgumentException("priority must be 0..9, not " + priority);
        }
        if (queueCapacity < 1 || queueCapacity > 1 << 24) {
            throw new IllegalArgumentException("queue capacity must be 1..16777216, not " + queueCapacity);
        }
    }

    /** A class that keeps its events on the broker that took them ({@link Durability#LOCAL}). */
    public ChannelClass(Ordering ordering, int priority, Persistence persistence, FsyncPolicy fsync, int queueCapacity,
                        OverflowPolicy overflow, FaultModel faultModel, Protection protection) {
        this(ordering, priority, persistence, fsync, queueCapacity, overflow, faultModel, protection, Durability.LOCAL);
    }

    public ChannelClass withOrdering(Ordering o) {
        return new ChannelClass(o, priority, persistence, fsync, queueCapacity, overflow, faultModel, protection, durability);
    }

    public ChannelClass withPriority(int p) {
        return new ChannelClass(ordering, p, persistence, fsync, queueCapacity, overflow, faultModel, protection, durability);
    }

    public ChannelClass withPersistence(Persistence p, FsyncPolicy f) {
        return new ChannelClass(ordering, priority, p, f, queueCapacity, overflow, faultModel, protection, durability);
    }

    public ChannelClass withQueue(int capacity, OverflowPolicy policy) {
        return new ChannelClass(ordering, priority, persistence, fsync, capacity, policy, faultModel, protection, durability);
    }

    public ChannelClass withProtection(FaultModel f, Protection p) {
        return new ChannelClass(ordering, priority, persistence, fsync, queueCapacity, overflow, f, p, durability);
    }

    public ChannelClass withDurability(Durability d) {
        return new ChannelClass(ordering, priority, persistence, fsync, queueCapacity, overflow, faultModel, protection, d);
    }
}
