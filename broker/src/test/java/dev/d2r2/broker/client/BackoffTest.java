package dev.d2r2.broker.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final FailoverPolicy policy = new FailoverPolicy(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(1));

    @Test
    void triesTheNextReplicaAtOnceThenDoublesWithJitterUpToTheCap() {
        Backoff b = new Backoff(policy, new SplittableRandom(7));
        assertThat(b.delayNanos(0)).isZero();
        long ceiling = Duration.ofMillis(50).toNanos();
        for (int attempt = 1; attempt < 40; attempt++) {
            long d = b.delayNanos(attempt);
            assertThat(d).as("attempt %d", attempt).isBetween(ceiling / 2, ceiling);
            ceiling = Math.min(ceiling * 2, Duration.ofSeconds(2).toNanos());
        }
    }

    @Test
    void waitsDifferForClientsThatLostTheSameBroker() {
        Backoff one = new Backoff(policy, new SplittableRandom(1));
        Backoff two = new Backoff(policy, new SplittableRandom(2));
        long same = 0;
        for (int attempt = 1; attempt <= 20; attempt++) {
            if (one.delayNanos(attempt) == two.delayNanos(attempt)) {
                same++;
            }
        }
        assertThat(same).isLessThan(3);
    }

    @Test
    void aZeroFirstDelayNeverWaits() {
        Backoff b = new Backoff(new FailoverPolicy(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)), new SplittableRandom(3));
        assertThat(b.delayNanos(5)).isZero();
    }
}
