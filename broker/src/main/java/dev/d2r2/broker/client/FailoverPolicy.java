package dev.d2r2.broker.client;

import java.time.Duration;

/**
 * How a {@link RemoteBrokerClient} reconnects after it loses its broker: it tries the next
 * replica at once, then waits between attempts, from {@code firstDelay} doubling up to
 * {@code maxDelay}, each wait drawn between half and all of that (jitter: clients that lost the
 * same broker do not come back in step); after {@code giveUpAfter} without a broker it fails
 * its publishers, subscriptions and requests. {@code giveUpAfter} zero: no failover at all.
 */
public record FailoverPolicy(Duration firstDelay, Duration maxDelay, Duration giveUpAfter) {
    public static final FailoverPolicy DEFAULT = new FailoverPolicy(Duration.ofMillis(50), Duration.ofSeconds(2),
            Duration.ofSeconds(60));
    public static final FailoverPolicy NONE = new FailoverPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public FailoverPolicy {
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("failover delays must satisfy 0 <= first <= max and give-up >= 0, not "
                    + firstDelay + ", " + maxDelay + ", " + giveUpAfter);
        }
    }

    public boolean enabled() {
        return giveUpAfter.isPositive();
    }

    public FailoverPolicy withGiveUpAfter(Duration d) {
        return new FailoverPolicy(firstDelay, maxDelay, d);
    }
}
