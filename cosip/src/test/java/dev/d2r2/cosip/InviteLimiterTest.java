package dev.d2r2.cosip;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InviteLimiterTest {
    @Test
    void aBurstThenOneCallPerRefill() {
        InviteLimiter limiter = new InviteLimiter(6, 3, 0);
        assertThat(limiter.tryAcquire(0)).isTrue();
        assertThat(limiter.tryAcquire(0)).isTrue();
        assertThat(limiter.tryAcquire(0)).isTrue();
        assertThat(limiter.tryAcquire(0)).isFalse();
        assertThat(limiter.tryAcquire(9_999)).isFalse();
        assertThat(limiter.tryAcquire(10_000)).isTrue();
        assertThat(limiter.tryAcquire(10_000)).isFalse();
        assertThat(limiter.tryAcquire(1_000_000)).isTrue();
        assertThat(limiter.tryAcquire(1_000_000)).isTrue();
        assertThat(limiter.tryAcquire(1_000_000)).isTrue();
        assertThat(limiter.tryAcquire(1_000_000)).as("the bucket holds the burst, no more").isFalse();
    }

    @Test
    void aRateOfZeroIsRefused() {
        assertThatThrownBy(() -> new InviteLimiter(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
