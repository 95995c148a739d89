package dev.d2r2.p2psip.overlay;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.node.OverlayStatus;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A peer of the forwarding overlay: it routes (FIND_NODE, PING), holds no values, and keeps the
 * pool of relays its owner builds tunnels through. The owner refreshes the pool every τ.
 */
public final class ForwardingNode implements AutoCloseable {
    private final OverlayNode node;
    private final ForwardingPool pool;

    ForwardingNode(OverlayNode node, ForwardingPool pool) {
        this.node = node;
        this.pool = pool;
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

    /** Replaces the pool with peers returned by lookups of fresh random ids. */
    public CompletableFuture<List<ForwardingPool.Entry>> refreshPool() {
        return pool.refresh(node::lookup);
    }

    public ForwardingPool pool() {
        return pool;
    }

    public CompletableFuture<OverlayStatus> status() {
        return node.status();
    }

    @Override
    public void close() throws InterruptedException {
        node.close();
    }
}
