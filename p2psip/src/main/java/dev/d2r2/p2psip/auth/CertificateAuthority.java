package dev.d2r2.p2psip.auth;

import dev.d2r2.overlay.kad.Identity;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Signs certificates with the server's key. An identity certificate is valid from its issue for
 * the identity lifetime. A pseudonym's validity is not its own: it is its issuing epoch's start
 * plus two epochs, the same for every pseudonym issued in that epoch, so the times do not tell
 * which pseudonyms came in one batch (and one is always valid for at least one epoch).
 */
public final class CertificateAuthority {
    /**
     * @param identityLifetime   how long an identity certificate is valid
     * @param pseudonymEpoch     pseudonyms are issued per epoch and valid for two
     * @param pseudonymsPerEpoch the most pseudonyms of one kind a user gets in one epoch (a bound on Sybils)
     */
    public record Policy(Duration identityLifetime, Duration pseudonymEpoch, int pseudonymsPerEpoch) {
        public static Policy defaults() {
            return new Policy(Duration.ofDays(30), Duration.ofHours(6), 16);
        }

        public Policy {
            if (!identityLifetime.isPositive() || !pseudonymEpoch.isPositive() || pseudonymsPerEpoch < 1) {
                throw new IllegalArgumentException("lifetimes and the quota must be positive");
            }
        }
    }

    private final Identity key;
    private final Policy policy;
    private final RandomGenerator random;

    public CertificateAuthority(Identity key, Policy policy, RandomGenerator random) {
        this.key = key;
        this.policy = policy;
        this.random = random;
    }

    public byte[] publicKey() {
        return key.publicKey();
    }

    public Policy policy() {
        return policy;
    }

    public long epochOf(long nowMillis) {
        return Math.floorDiv(nowMillis, policy.pseudonymEpoch().toMillis());
    }

    public Certificate identity(String user, byte[] publicKey, long nowMillis) {
        return Certificate.sign(key, CertificateKind.IDENTITY, random.nextLong(), nowMillis, nowMillis + policy.identityLifetime().toMillis(),
                publicKey, user);
    }

    public Certificate pseudonym(CertificateKind kind, byte[] publicKey, long nowMillis) {
        if (!kind.pseudonym()) {
            throw new IllegalArgumentException(kind + " is not a pseudonym");
        }
        long epoch = policy.pseudonymEpoch().toMillis();
        long start = epochOf(nowMillis) * epoch;
        return Certificate.sign(key, kind, random.nextLong(), start, start + 2 * epoch, publicKey, "");
    }
}
