package dev.d2r2.broker.client;

import java.util.random.RandomGenerator;

/** The waits of a {@link FailoverPolicy} between reconnection attempts. */
final class Backoff {
    private final long firstNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    Backoff(FailoverPolicy policy, RandomGenerator random) {
        this.firstNanos = policy.firstDelay().toNanos();
        this.maxNanos = policy.maxDelay().toNanos();
        this.random = random;
    }

    /**
     * The wait after failed attempt {@code attempt} (0 for the first): none after the first, so
     * that the next replica is tried at once; then between half and all of
     * {@code first * 2^(attempt-1)}, capped at the maximum.
     */
    long delayNanos(int attempt) {
        if (attempt == 0 || firstNanos == 0) {
            return 0;
        }
        long ceiling = firstNanos;
        for (int i = 1; i < attempt && ceiling < maxNanos; i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxNanos);
        long half = ceiling / 2;
        return half + random.nextLong(ceiling - half + 1);
    }
}
