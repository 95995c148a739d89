package dev.d2r2.p2psip.auth;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.auth.BadCertificate.Reason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Checks certificates against the authentication server's public key and the clock, and counts
 * every refusal by reason. Safe to share between threads.
 */
public final class CertificateVerifier {
    private final byte[] serverKey;
    private final Clock clock;
    private final AtomicLongArray refused = new AtomicLongArray(Reason.values().length);

    public CertificateVerifier(byte[] serverPublicKey, Clock clock) {
        if (serverPublicKey.length != Certificate.KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has " + Certificate.KEY_BYTES + " bytes");
        }
        this.serverKey = serverPublicKey.clone();
        this.clock = clock;
    }

    /** The certificate in {@code encoded} if it is well formed, signed by the server, of {@code kind} and valid now. */
    public Certificate verify(byte[] encoded, CertificateKind kind) throws BadCertificate {
        try {
            Certificate c = Certificate.decode(encoded);
            if (!Identity.verify(serverKey, c.signedBytes(), c.signature())) {
                throw new BadCertificate(Reason.BAD_SIGNATURE, "not signed by this authentication server, or altered since");
            }
            if (c.kind() != kind) {
                throw new BadCertificate(Reason.WRONG_KIND, "a " + c.kind() + " certificate where a " + kind + " one is due");
            }
            long now = clock.millis();
            if (now >= c.notAfterMillis()) {
                throw new BadCertificate(Reason.EXPIRED, "expired " + (now - c.notAfterMillis()) + " ms ago");
            }
            if (now < c.notBeforeMillis()) {
                throw new BadCertificate(Reason.NOT_YET_VALID, "valid only in " + (c.notBeforeMillis() - now) + " ms");
            }
            return c;
        } catch (BadCertificate e) {
            refused.incrementAndGet(e.reason().ordinal());
            throw e;
        }
    }

    public Map<Reason, Long> refused() {
        Map<Reason, Long> counts = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            counts.put(r, refused.get(r.ordinal()));
        }
        return counts;
    }
}
