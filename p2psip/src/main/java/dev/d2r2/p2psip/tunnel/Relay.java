package dev.d2r2.p2psip.tunnel;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.agent.ErrorLog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A Pr2-P2PSIP peer's tunnel role: it relays other peers' tunnels and originates its own. One
 * agent thread ({@link RelayAgent}) owns every binding, key and link; a virtual thread per link
 * reads cells, and one accepts connections. Links are opened on demand, on the first tunnel that
 * needs a neighbour, and kept for every later tunnel through it.
 */
public final class Relay implements AutoCloseable {
    /** How far a setup record's clock may be from this relay's (and how long one-time keys are remembered, twice that). */
    public static final Duration DEFAULT_SETUP_WINDOW = Duration.ofSeconds(60);
    /** How long an origin waits for the last hop's acknowledgement before it gives the tunnel up. */
    public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(5);

    private final ServerSocket server;
    private final RelayAgent agent;
    private final AgentRunner runner;

    private Relay(String name, InetAddress bindHost, Clock clock, TunnelEnd end, LinkSecurity security, Duration setupWindow,
                  Duration setupTimeout) throws IOException {
        LinkSecurity.Sockets sockets = security.sockets(name);
        this.server = sockets.listen(bindHost);
        KeyPair identity = X25519.generate();
        Hop self = new Hop(X25519.raw(identity.getPublic()), new InetSocketAddress(bindHost, server.getLocalPort()));
        this.agent = new RelayAgent(name, identity, self, sockets, clock, end, setupWindow.toMillis(), setupTimeout.toMillis());
        this.runner = new AgentRunner(agent, 4096, clock);
        agent.attach(runner);
    }

    /** Starts a relay with TLS links, listening on an ephemeral port of {@code bindHost}, with a new X25519 identity. */
    public static Relay start(String name, InetAddress bindHost, Clock clock, TunnelEnd end) throws IOException {
        return start(name, bindHost, clock, end, LinkSecurity.TLS, DEFAULT_SETUP_WINDOW, DEFAULT_SETUP_TIMEOUT);
    }

    public static Relay start(String name, InetAddress bindHost, Clock clock, TunnelEnd end, LinkSecurity security,
                              Duration setupWindow, Duration setupTimeout) throws IOException {
        Relay relay = new Relay(name, bindHost, clock, end, security, setupWindow, setupTimeout);
        relay.runner.start();
        Thread.ofVirtual().name("d2r2-accept-" + name).start(relay::accept);
        return relay;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                runner.deliver(new RelayAgent.Accepted(s));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    runner.errors().error("accept", agent.roleName() + ": accept failed: " + e, null);
                }
            }
        }
    }

    /** This relay's key and address, as other peers put it in a path. */
    public Hop self() {
        return agent.self();
    }

    /**
     * Sets up a tunnel through {@code path} (first hop first) and completes when its last hop has
     * acknowledged, or fails after the setup timeout. {@code onData} gets what comes back, on the agent thread.
     */
    public CompletableFuture<Tunnel> build(List<Hop> path, Consumer<byte[]> onData) {
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        runner.deliver(new RelayAgent.Build(List.copyOf(path), onData, result));
        return result;
    }

    /** Hands {@code data} to the inbound tunnel whose last hop is {@code entry} under the id it published. */
    public void enter(Hop entry, int entryId, byte[] data) {
        runner.deliver(new RelayAgent.Enter(entry, entryId, new Payload(Payload.Kind.DATA, data.clone())));
    }

    /** What this relay knows of each tunnel it relays, read on the agent thread. */
    public List<HopView> views() {
        CompletableFuture<List<HopView>> result = new CompletableFuture<>();
        runner.deliver(new RelayAgent.Views(result));
        return result.join();
    }

    public RelayCounters counters() {
        return agent.counters();
    }

    /** Refusals and failures by kind ({@code refused-BAD_LAYER}, {@code connect}, {@code send}, ...), rate-limited in the log. */
    public ErrorLog errors() {
        return runner.errors();
    }

    @Override
    public void close() throws Exception {
        server.close();
        runner.close();
    }
}
