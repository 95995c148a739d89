package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.tunnel.Hop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One process's relays in the forwarding overlay: a node per relay, each under a forwarding
 * pseudonym of its own and announcing that relay, the first joining through the seeds, the others
 * through it too. This is how user agents of other processes find the relays.
 */
public final class ForwardingPeers implements AutoCloseable {
    /** A forwarding pseudonym: its key and the authentication server's certificate (encoded) for it. */
    public record Pseudonym(Identity key, byte[] certificate) {
    }

    private final List<ForwardingNode> nodes;

    private ForwardingPeers(List<ForwardingNode> nodes) {
        this.nodes = nodes;
    }

    /**
     * Starts a node on {@code host} for each of {@code relays}, under the pseudonym of the same index,
     * in the forwarding overlay keyed {@code networkKey}.
     */
    public static ForwardingPeers start(List<Hop> relays, List<Pseudonym> pseudonyms, CertificateVerifier verifier, InetAddress host,
                                        byte[] networkKey, List<InetSocketAddress> seeds, Clock clock) throws IOException, BadCertificate {
        if (pseudonyms.size() < relays.size()) {
            throw new IllegalArgumentException(relays.size() + " relays and only " + pseudonyms.size() + " forwarding pseudonyms");
        }
        List<ForwardingNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < relays.size(); i++) {
                List<InetSocketAddress> joinThrough = new ArrayList<>(seeds);
                if (!nodes.isEmpty()) {
                    joinThrough.add(nodes.getFirst().address());
                }
                Pseudonym p = pseudonyms.get(i);
                nodes.add(PseudonymOverlays.forwarding(p.certificate(), p.key(), relays.get(i), verifier,
                        new OverlayNode.Settings(new InetSocketAddress(host, 0), joinThrough, networkKey, KadConfig.defaults(),
                                Duration.ofSeconds(30)),
                        // a relay originates no tunnels: its pool is never refreshed
                        new ForwardingPool(new ForwardingPool.Settings(1, 1), verifier, new SecureRandom()), clock));
            }
        } catch (IOException | BadCertificate | RuntimeException e) {
            new ForwardingPeers(nodes).close();
            throw e;
        }
        return new ForwardingPeers(List.copyOf(nodes));
    }

    /**
     * Waits until every node's routing table holds {@code contacts} others.
     * @throws TimeoutException if that takes longer than {@code within}
     */
    public void awaitJoined(int contacts, Duration within) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!nodes.stream().allMatch(n -> n.status().join().contacts() >= contacts)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the forwarding overlay's " + nodes.size() + " nodes did not join within " + within);
            }
            Thread.sleep(50);
        }
    }

    public List<ForwardingNode> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        for (ForwardingNode n : nodes.reversed()) {
            try {
                n.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
