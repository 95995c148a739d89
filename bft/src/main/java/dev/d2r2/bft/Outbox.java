package dev.d2r2.bft;

import java.util.List;

/**
 * Everything a {@link Replica} asks of the world, called on the replica's thread. The driver
 * owns the transport and the clock; the replica owns neither.
 */
public interface Outbox {
    /** Sends {@code msg} to replica {@code to} (never this replica). */
    void send(int to, Msg msg);

    /** Sends {@code msg} to every other replica. */
    void broadcast(Msg msg);

    /**
     * Hands a decided block to the application: blocks arrive once each, in height order.
     * {@code commands} are the clients' bytes of the block's commands that no earlier block
     * decided (a command proposed twice is applied once), in block order.
     */
    void deliver(Block block, List<byte[]> commands);

    /**
     * Asks for {@link Replica#onTimeout(long)} with {@code view} after the base timeout doubled
     * {@code doublings} times, replacing the timer already running (paper §4.4, liveness: timeouts
     * that grow until views succeed).
     */
    void startTimer(long view, int doublings);

    /**
     * Makes {@code state} durable before returning (a file written and synced, say): called
     * before each vote leaves, so that a restarted replica, given it back through
     * {@link Replica#restore}, never votes twice in one phase and view nor against its lock.
     */
    void persist(SafetyState state);

    /**
     * The application's state after the last block {@link #deliver}ed (or {@link #install}ed),
     * encoded deterministically: every correct replica at the same height returns the same bytes.
     * Asked at each checkpoint height; the replica signs its digest and hands it to replicas that
     * fell too far behind to fetch the blocks.
     */
    byte[] snapshot();

    /**
     * Replaces the application's whole state by {@code checkpoint.state()}, a {@link #snapshot}
     * taken after decided block {@code checkpoint.height()} by at least f + 1 correct replicas
     * (its digest carries n − f signatures); the blocks above it are delivered next. False when
     * the application cannot replace its state: the replica then stays at its height and goes on
     * fetching blocks.
     */
    boolean install(Checkpoint checkpoint);
}
