package dev.d2r2.tunnel.path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Delay, RFC 3550 jitter, loss and liveness from probes, in virtual time. */
class PathMeterTest {
    private static final long MS = 1_000_000;

    @Test
    void aSteadyPathHasItsDelayNoJitterAndNoLoss() {
        PathMeter m = new PathMeter(10, 50 * MS, 30 * MS);
        for (int i = 0; i < 20; i++) {
            int seq = m.sent(i * 10 * MS);
            assertThat(m.echoed(seq, i * 10 * MS + 2 * MS)).isTrue();
        }
        assertThat(m.rttNanos()).isEqualTo(2 * MS);
        assertThat(m.jitterNanos()).isZero();
        assertThat(m.loss(200 * MS)).isZero();
        assertThat(m.up(200 * MS)).isTrue();
    }

    @Test
    void jitterFollowsRfc3550() {
        PathMeter m = new PathMeter(10, 50 * MS, 30 * MS);
        m.echoed(m.sent(0), 1 * MS);
        m.echoed(m.sent(10 * MS), 10 * MS + 17 * MS);
        assertThat(m.jitterNanos()).isEqualTo(MS);
        m.echoed(m.sent(20 * MS), 20 * MS + 1 * MS);
        assertThat((double) m.jitterNanos()).isCloseTo(MS + (16 * MS - MS) / 16.0, within(1.0));
    }

    @Test
    void unansweredProbesCountAsLostOnlyOnceOverdue() {
        PathMeter m = new PathMeter(10, 50 * MS, 30 * MS);
        for (int i = 0; i < 10; i++) {
            int seq = m.sent(i * 10 * MS);
            if (i % 2 == 0) {
                m.echoed(seq, i * 10 * MS + MS);
            }
        }
        assertThat(m.loss(95 * MS)).as("five echoed, probes 1 and 3 overdue, 5..9 pending").isCloseTo(2.0 / 7, within(1e-9));
        assertThat(m.loss(1000 * MS)).isEqualTo(0.5);
    }

    @Test
    void aPathIsDownOnceNoEchoCameForDownAfter() {
        PathMeter m = new PathMeter(10, 50 * MS, 30 * MS);
        assertThat(m.up(0)).as("never echoed").isFalse();
        m.echoed(m.sent(0), MS);
        assertThat(m.up(31 * MS)).isTrue();
        assertThat(m.up(32 * MS)).isFalse();
    }

    @Test
    void strayDuplicateAndTooOldEchoesAreIgnored() {
        PathMeter m = new PathMeter(4, 50 * MS, 30 * MS);
        int first = m.sent(0);
        for (int i = 1; i < 5; i++) {
            m.sent(i * MS);
        }
        assertThat(m.echoed(first, 10 * MS)).as("left the window").isFalse();
        assertThat(m.echoed(4, 10 * MS)).isTrue();
        assertThat(m.echoed(4, 11 * MS)).as("duplicate").isFalse();
        assertThat(m.echoed(99, 11 * MS)).as("never sent").isFalse();
        assertThat(m.echoed(-3, 11 * MS)).isFalse();
        assertThat(m.echoes()).isEqualTo(1);
    }
}
