package dev.d2r2.tunnel.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFrameIsAcceptedOnceAndTooOldOnesNever() {
        ReplayWindow w = new ReplayWindow(SECOND);
        assertThat(w.accept(100, 0)).isTrue();
        assertThat(w.accept(100, 1)).as("replayed").isFalse();
        assertThat(w.accept(99, 1)).as("reordered, still in the window").isTrue();
        assertThat(w.accept(100 + ReplayWindow.SIZE, 2)).isTrue();
        assertThat(w.accept(100, 3)).as("slid out of the window").isFalse();
        assertThat(w.accept(101, 3)).as("the window's lowest number").isTrue();
    }

    @Test
    void theCounterMayWrap() {
        ReplayWindow w = new ReplayWindow(SECOND);
        assertThat(w.accept(-2, 0)).isTrue();
        assertThat(w.accept(1, 0)).isTrue();
        assertThat(w.accept(-1, 0)).isTrue();
        assertThat(w.accept(-2, 0)).isFalse();
        assertThat(w.accept(1, 0)).isFalse();
    }

    @Test
    void aRestartedSenderIsHeardAfterASilence() {
        ReplayWindow w = new ReplayWindow(SECOND);
        assertThat(w.accept(5000, 0)).isTrue();
        assertThat(w.accept(0, SECOND)).as("within the silence: an old number").isFalse();
        assertThat(w.accept(0, 2 * SECOND + 1)).as("after it: a new sender").isTrue();
        assertThat(w.accept(0, 2 * SECOND + 2)).isFalse();
    }

    @Test
    void noAllocationPerFrame() {
        ReplayWindow w = new ReplayWindow(SECOND);
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 100_000; i++) {
            w.accept(i, i);
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 100_000; i < 1_100_000; i++) {
            w.accept(i ^ 7, i);
        }
        assertThat(bean.getCurrentThreadAllocatedBytes() - before).isLessThan(10_000);
    }
}
