package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.node.OverlayStatus;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A peer of the forwarding overlay: it routes (FIND_NODE, PING), holds no values, announces its
 * relay card in its PONGs (a forwarding peer; a user agent's lookup node announces none), and keeps
 * the pool of relays its owner builds tunnels through, refreshed every τ ({@link #refreshEvery}).
 */
public final class ForwardingNode implements AutoCloseable {
    private final OverlayNode node;
    private final ForwardingPool pool;
    private final CardChecks admission;
    private final Clock clock;
    private AgentRunner refresher;

    ForwardingNode(OverlayNode node, ForwardingPool pool, CardChecks admission, Clock clock) {
        this.node = node;
        this.pool = pool;
        this.admission = admission;
        this.clock = clock;
    }

    public NodeId id() {
        return node.id();
    }

    public InetSocketAddress address() {
        return node.address();
    }

    public CompletableFuture<LookupResult> lookup(NodeId target) {
        return node.lookup(target);
    }

    /** Replaces the pool with the peers, their cards checked, returned by lookups of fresh random ids. */
    public CompletableFuture<List<ForwardingPool.Entry>> refreshPool() {
        return pool.refresh(node::lookup, node::probe);
    }

    /** Refreshes the pool now and then every {@code tau} after the last refresh ended, until closed. */
    public synchronized void refreshEvery(Duration tau) {
        if (refresher != null) {
            throw new IllegalStateException("the pool is refreshed already");
        }
        PoolRefresher agent = new PoolRefresher(this, tau, clock);
        refresher = new AgentRunner(agent, 16, clock);
        agent.attach(refresher);
        refresher.start();
    }

    /**
     * Refreshes the pool until it holds {@code members} peers (the overlay may still be joining).
     * @throws TimeoutException if it does not within {@code within}
     */
    public List<ForwardingPool.Entry> awaitPool(int members, Duration within) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                List<ForwardingPool.Entry> entries = refreshPool().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
                if (entries.size() >= members) {
                    return entries;
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("refreshing the pool failed: " + e.getCause(), e.getCause());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the forwarding pool held " + pool.entries().size() + " of " + members + " peers after "
                        + within + " (refused: " + pool.refused() + ")");
            }
        }
    }

    public ForwardingPool pool() {
        return pool;
    }

    /** Peers kept out of this node's routing table because their relay card did not check (or they announce none), by reason. */
    public Map<BadCard.Reason, Long> refusedFromTable() {
        return admission.refused();
    }

    public CompletableFuture<OverlayStatus> status() {
        return node.status();
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            if (refresher != null) {
                refresher.close();
            }
        }
        node.close();
    }
}
