package dev.d2r2.p2psip.ua;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.contact.TunnelExit;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Peers in one process, each a storage-overlay node and a tunnel relay whose exit serves that
 * node ({@link TunnelExit}): the network a demo or a test runs user agents over. Its hop list
 * stands in for the forwarding overlay's pool.
 */
public final class PeerNetwork implements AutoCloseable {
    public record Peer(OverlayNode storage, Relay relay, TunnelExit exit) {
    }

    private final List<Peer> peers;

    private PeerNetwork(List<Peer> peers) {
        this.peers = peers;
    }

    /** Starts {@code size} peers on {@code host}, each joining a new storage overlay through the first. */
    public static PeerNetwork start(int size, InetAddress host, Clock clock) throws IOException {
        byte[] networkKey = new byte[32];
        new SecureRandom().nextBytes(networkKey);
        return start(size, host, networkKey, List.of(), clock);
    }

    /**
     * Starts {@code size} peers on {@code host} in the storage overlay keyed {@code networkKey}: the first
     * joins through {@code seeds} (none: it starts the overlay), the others through it too.
     */
    public static PeerNetwork start(int size, InetAddress host, byte[] networkKey, List<InetSocketAddress> seeds, Clock clock)
            throws IOException {
        List<Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                List<InetSocketAddress> joinThrough = new ArrayList<>(seeds);
                if (!peers.isEmpty()) {
                    joinThrough.add(peers.getFirst().storage().address());
                }
                OverlayNode storage = OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress(host, 0), joinThrough, networkKey,
                        KadConfig.defaults(), Duration.ofSeconds(30)), clock);
                TunnelExit exit = new TunnelExit(storage);
                Relay relay = Relay.start("peer" + i, host, clock, exit);
                exit.attach(relay);
                peers.add(new Peer(storage, relay, exit));
            }
        } catch (IOException | RuntimeException e) {
            new PeerNetwork(peers).close();
            throw e;
        }
        return new PeerNetwork(List.copyOf(peers));
    }

    /**
     * Waits until every peer's routing table holds {@code contacts} others (or all of them, in a smaller network).
     * @throws TimeoutException if that takes longer than {@code within}
     */
    public void awaitJoined(int contacts, Duration within) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        int wanted = Math.min(contacts, peers.size() - 1);
        while (!peers.stream().allMatch(p -> p.storage().status().join().contacts() >= wanted)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the storage overlay of " + peers.size() + " peers did not join within " + within);
            }
            Thread.sleep(50);
        }
    }

    public List<Peer> peers() {
        return peers;
    }

    /** Every peer's relay as a hop, the pool user agents pick their tunnels from. */
    public List<Hop> hops() {
        return peers.stream().map(p -> p.relay().self()).toList();
    }

    @Override
    public void close() {
        for (Peer p : peers.reversed()) {
            try {
                p.relay().close();
                p.storage().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + p.relay().self() + ": " + e, e);
            }
        }
    }
}
