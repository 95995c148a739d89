package dev.d2r2.app.bft;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.Outbox;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.broker.server.EventOrderer;
import dev.d2r2.cluster.config.ClusterFile;

import java.io.IOException;
import java.security.PrivateKey;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The broker's {@link EventOrderer} on a {@link BftNode}: the ordered channels' events go to
 * this process's HotStuff replica, and its decided blocks come back to the broker, in height
 * order, on the node's thread. The broker knows only the orderer; the node knows no broker.
 */
public final class BftOrderer implements EventOrderer, AutoCloseable {
    private final BftNode node;
    private volatile Decisions decisions;

    private BftOrderer(ClusterFile cluster, String name, PrivateKey key, BftNode.Settings settings,
                       UnaryOperator<Outbox> faults) throws IOException {
        this.node = BftNode.open(cluster, name, key, settings, this::decided, faults);
    }

    /**
     * Replica {@code name} of {@code cluster}, not started: give it to the broker
     * ({@code Broker.orderEvents}) first, then {@link #start} it.
     *
     * @param faults the identity in production; tests put a lying replica here
     */
    public static BftOrderer open(ClusterFile cluster, String name, PrivateKey key, BftNode.Settings settings,
                                  UnaryOperator<Outbox> faults) throws IOException {
        return new BftOrderer(cluster, name, key, settings, faults);
    }

    public BftOrderer start() {
        if (decisions == null) {
            throw new IllegalStateException("no receiver for the decided blocks: give the orderer to the broker first");
        }
        node.start();
        return this;
    }

    private void decided(Block block, List<byte[]> commands) {
        decisions.decided(block.height(), commands);
    }

    @Override
    public boolean submit(byte[] command) {
        return node.submit(command);
    }

    @Override
    public void onDecided(Decisions receiver) {
        this.decisions = receiver;
    }

    public BftNode node() {
        return node;
    }

    @Override
    public void close() throws InterruptedException {
        node.close();
    }
}
