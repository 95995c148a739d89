package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateKind;
import dev.d2r2.p2psip.auth.CertificateVerifier;

import java.io.IOException;

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
        return start(CertificateKind.STORAGE, settings.kad(), certificate, verifier, settings, clock);
    }

    /** A forwarding-overlay peer and its pool of relays, refreshed by lookups of random ids. */
    public static ForwardingNode forwarding(byte[] certificate, CertificateVerifier verifier, OverlayNode.Settings settings,
                                            ForwardingPool pool, Clock clock) throws IOException, BadCertificate {
        return new ForwardingNode(start(CertificateKind.FORWARDING, settings.kad().withoutValues(), certificate, verifier, settings, clock),
                pool);
    }

    private static OverlayNode start(CertificateKind kind, KadConfig kad, byte[] certificate, CertificateVerifier verifier,
                                     OverlayNode.Settings settings, Clock clock) throws IOException, BadCertificate {
        Certificate c = verifier.verify(certificate, kind);
        return OverlayNode.start(new OverlayNode.Settings(settings.listen(), settings.seeds(), settings.networkKey(), kad,
                settings.replayWindow()), c.nodeId(), clock);
    }
}
