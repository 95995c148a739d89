package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateKind;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.tunnel.Hop;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Starts a peer in one of Pr2-P2PSIP's two overlays, under a pseudonym: the node's id is fixed by
 * its pseudonym certificate ({@link Certificate#nodeId()}), which must be the server's, of the
 * overlay's kind and valid now. Both overlays are the overlay module's Kademlia; the storage
 * overlay carries values (FIND_NODE, FIND_VALUE, PING, STORE), the forwarding overlay only routes
 * (FIND_NODE, PING) and refuses and counts the rest. Each overlay should have its own network
 * key, so a packet meant for one is refused by the other's.
 */
public final class PseudonymOverlays {
    private PseudonymOverlays() {
    }

    /** A storage-overlay peer: the returned node looks up, puts and gets. */
    public static OverlayNode storage(byte[] certificate, CertificateVerifier verifier, OverlayNode.Settings settings, Clock clock)
            throws IOException, BadCertificate {
        Certificate c = verifier.verify(certificate, CertificateKind.STORAGE);
        return OverlayNode.start(settings, c.nodeId(), clock);
    }

    /**
     * A forwarding-overlay peer that relays: it announces {@code relay} in its PONGs, on a card signed
     * with {@code pseudonym}, the key {@code certificate} binds.
     */
    public static ForwardingNode forwarding(byte[] certificate, Identity pseudonym, Hop relay, CertificateVerifier verifier,
                                            OverlayNode.Settings settings, ForwardingPool pool, Clock clock)
            throws IOException, BadCertificate {
        Certificate c = verifier.verify(certificate, CertificateKind.FORWARDING);
        if (!Arrays.equals(c.publicKey(), pseudonym.publicKey())) {
            throw new IllegalArgumentException("the pseudonym key is not the one its certificate binds");
        }
        CardChecks admission = new CardChecks(verifier);
        byte[] card = RelayCard.sign(pseudonym, certificate, relay);
        return new ForwardingNode(routing(settings, c.nodeId(), admission, card, clock), pool, admission, clock);
    }

    /**
     * A user agent's node in the forwarding overlay, for its lookups: it relays nothing, so it has no
     * pseudonym to announce (a random id, no card; peers that meet it refuse it as a hop).
     */
    public static ForwardingNode lookupNode(OverlayNode.Settings settings, ForwardingPool pool, Clock clock) throws IOException {
        CardChecks admission = new CardChecks(pool.verifier());
        return new ForwardingNode(routing(settings, NodeId.random(new SecureRandom()), admission, new byte[0], clock), pool, admission,
                clock);
    }

    /** A node of the forwarding overlay: it routes only, and admits to its routing table only peers whose relay card checks. */
    private static OverlayNode routing(OverlayNode.Settings settings, NodeId id, CardChecks admission, byte[] card, Clock clock)
            throws IOException {
        return OverlayNode.start(new OverlayNode.Settings(settings.listen(), settings.seeds(), settings.networkKey(),
                settings.kad().withoutValues(), settings.replayWindow()), id, admission, card, clock);
    }
}
