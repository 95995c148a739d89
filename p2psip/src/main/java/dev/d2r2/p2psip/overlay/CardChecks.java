package dev.d2r2.p2psip.overlay;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.tunnel.Hop;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Relay cards checked ({@link RelayCard#check}) against the authentication server's key, the refused ones counted by
 * reason. A forwarding-overlay node admits a contact to its routing table only if its card checks, so a peer that is
 * not a certified relay never enters a table (nor, through the tables, a lookup's answer); a pool checks the card again
 * before a peer becomes a hop, since a peer may announce another card after it entered the tables.
 */
final class CardChecks implements KadNode.Admission {
    private final CertificateVerifier verifier;
    private final AtomicLongArray refused = new AtomicLongArray(BadCard.Reason.values().length);

    CardChecks(CertificateVerifier verifier) {
        this.verifier = verifier;
    }

    /** The relay {@code card} names, if it is {@code contact}'s and well signed; refusals counted. */
    Hop check(byte[] card, Contact contact) throws BadCard {
        try {
            if (card == null) {
                throw new BadCard(BadCard.Reason.UNANSWERED, contact + " did not answer");
            }
            return RelayCard.check(card, contact, verifier);
        } catch (BadCard e) {
            refused.incrementAndGet(e.reason().ordinal());
            throw e;
        }
    }

    @Override
    public boolean admit(Contact contact, byte[] card) {
        try {
            check(card, contact);
            return true;
        } catch (BadCard e) {
            return false;
        }
    }

    CertificateVerifier verifier() {
        return verifier;
    }

    Map<BadCard.Reason, Long> refused() {
        Map<BadCard.Reason, Long> counts = new EnumMap<>(BadCard.Reason.class);
        for (BadCard.Reason r : BadCard.Reason.values()) {
            counts.put(r, refused.get(r.ordinal()));
        }
        return counts;
    }
}
