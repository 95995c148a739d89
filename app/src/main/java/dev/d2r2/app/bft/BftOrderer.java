package dev.d2r2.app.bft;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.Outbox;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.EventOrderer;
import dev.d2r2.cluster.broker.ByzantineControl;
import dev.d2r2.cluster.config.ClusterFile;

import java.io.IOException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The broker's {@link EventOrderer} on a {@link BftNode}: the ordered channels' events go to
 * this process's HotStuff replica, and its decided blocks come back to the broker, in height
 * order, on the node's thread. The broker knows only the orderer; the node knows no broker.
 * When the cluster has administrators the same node orders signed control commands
 * ({@link #governControl}).
 */
public final class BftOrderer implements EventOrderer, AutoCloseable {
    /** How long a signed control command may take to be decided and applied at the replica that took it. */
    private static final Duration CONTROL_PATIENCE = Duration.ofSeconds(30);
    private final BftNode node;
    private volatile Decisions decisions;
    private volatile ByzantineControl control;

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

    /**
     * Control commands go to the control plane and events to the broker, each in the block's
     * order: a channel created earlier in a block takes the events after it.
     */
    private void decided(Block block, List<byte[]> commands) {
        ByzantineControl governor = control;
        if (governor == null) {
            decisions.decided(block.height(), commands);
            return;
        }
        List<byte[]> events = new ArrayList<>(commands.size());
        for (byte[] command : commands) {
            if (!ByzantineControl.isControl(command)) {
                events.add(command);
                continue;
            }
            if (!events.isEmpty()) {
                decisions.decided(block.height(), events);
                events = new ArrayList<>();
            }
            governor.decided(block.height(), command);
        }
        if (!events.isEmpty()) {
            decisions.decided(block.height(), events);
        }
    }

    /**
     * Orders the control commands of {@code cluster} too: signed by its administrators, applied by
     * a {@link ByzantineControl} that the broker then asks for every change of identities and
     * channels. Call after the broker took this orderer and before {@link #start}.
     */
    public ByzantineControl governControl(Broker broker, ClusterFile cluster) {
        ByzantineControl c = new ByzantineControl(broker, cluster, this::submit, CONTROL_PATIENCE);
        this.control = c;
        return c.attach();
    }

    /** The control plane, or null when this orderer orders events only. */
    public ByzantineControl control() {
        return control;
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
