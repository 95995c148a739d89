package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.agent.AgentRunner;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A tunnel seen from its origin (f0): the path, the keys shared with each hop, the sequence numbers
 * of both directions and the first link. State is the relay agent's; other threads use
 * {@link #send} and {@link #closed}, which go through the agent's inbox.
 */
public final class Tunnel {
    private final AgentRunner runner;
    private final List<Hop> path;
    private final List<LayerKeys> keys;
    private final Consumer<byte[]> onData;
    private final CompletableFuture<Tunnel> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile CompletableFuture<Void> pong = new CompletableFuture<>();
    Link link;
    int linkId;
    long forwardSequence;
    long backwardSequence;
    private volatile int entryId;

    Tunnel(AgentRunner runner, List<Hop> path, List<LayerKeys> keys, Consumer<byte[]> onData) {
        this.runner = runner;
        this.path = List.copyOf(path);
        this.keys = keys;
        this.onData = onData;
    }

    public List<Hop> path() {
        return path;
    }

    /** The id the last hop gave the tunnel as entry point (what contact data L(A, t) publishes for an inbound tunnel). */
    public int entryId() {
        return entryId;
    }

    /** Sends {@code data} (at most {@link Payload#MAX_DATA_BYTES}) to the last hop. */
    public void send(byte[] data) {
        runner.deliver(new RelayAgent.Send(this, new Payload(Payload.Kind.DATA, data.clone())));
    }

    /**
     * Sends a keepalive to the last hop, through every hop (a cell like any other to the hops on the way); completes
     * when the last hop's answer came back. A hop that drops cells while its links stay up is found this way.
     */
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> waiting = pong;
        runner.deliver(new RelayAgent.Send(this, new Payload(Payload.Kind.PING, new byte[0])));
        return waiting;
    }

    /** Tears the tunnel down from its origin (DESTROY to every hop); {@link #closed} completes. */
    public void destroy() {
        runner.deliver(new RelayAgent.Destroy(this));
    }

    /** Completes when the tunnel is torn down (a hop refused a layer, a link broke, or the relay closed). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    List<LayerKeys> keys() {
        return keys;
    }

    CompletableFuture<Tunnel> ready() {
        return ready;
    }

    void acknowledged(int entryId) {
        this.entryId = entryId;
        ready.complete(this);
    }

    void ponged() {
        CompletableFuture<Void> answered = pong;
        pong = new CompletableFuture<>();
        answered.complete(null);
    }

    void deliver(byte[] data) {
        onData.accept(data);
    }

    void tornDown(String why) {
        ready.completeExceptionally(new IllegalStateException("tunnel torn down before its acknowledgement: " + why));
        closed.complete(null);
    }
}
