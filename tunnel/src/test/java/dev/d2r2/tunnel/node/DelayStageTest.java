package dev.d2r2.tunnel.node;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class DelayStageTest {
    private static final InetSocketAddress DN = new InetSocketAddress("127.0.0.1", 4789);

    private final ManualClock clock = new ManualClock(0);
    private final List<String> sent = new ArrayList<>();

    private void sink(ByteBuffer frame, int uplink, InetSocketAddress to) {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        sent.add(new String(b) + "@" + uplink + ">" + to.getPort());
    }

    private static ByteBuffer frame(String s) {
        return ByteBuffer.wrap(s.getBytes());
    }

    @Test
    void aFrameLeavesOnlyOnceItsDelayHasPassed() throws Exception {
        DelayStage stage = new DelayStage(new TestDelay(Duration.ofMillis(20), null, 4), 64, clock, new SplittableRandom(1));
        assertThat(stage.hold(frame("a"), 1, DN)).isTrue();
        assertThat(stage.nanosUntilDue()).isEqualTo(Duration.ofMillis(20).toNanos());

        clock.advance(Duration.ofMillis(19));
        assertThat(stage.release(this::sink)).isZero();
        assertThat(stage.nanosUntilDue()).isEqualTo(Duration.ofMillis(1).toNanos());

        clock.advance(Duration.ofMillis(1));
        assertThat(stage.release(this::sink)).isEqualTo(1);
        assertThat(sent).containsExactly("a@1>4789");
        assertThat(stage.nanosUntilDue()).isEqualTo(-1);
    }

    @Test
    void framesLeaveInOrderEvenWithJitter() throws Exception {
        DelayStage stage = new DelayStage(new TestDelay(Duration.ofMillis(10), Duration.ofMillis(50), 64), 64, clock, new SplittableRandom(7));
        for (int i = 0; i < 40; i++) {
            assertThat(stage.hold(frame("f" + i), 0, DN)).isTrue();
            clock.advance(Duration.ofMillis(1));
            stage.release(this::sink);
        }
        clock.advance(Duration.ofMillis(60));
        stage.release(this::sink);
        assertThat(sent).hasSize(40);
        for (int i = 0; i < 40; i++) {
            assertThat(sent.get(i)).isEqualTo("f" + i + "@0>4789");
        }
    }

    @Test
    void jitterSpreadsTheDelayWithinItsBound() throws Exception {
        DelayStage stage = new DelayStage(new TestDelay(Duration.ofMillis(10), Duration.ofMillis(5), 4), 64, clock, new SplittableRandom(3));
        var seen = new java.util.HashSet<Long>();
        for (int i = 0; i < 50; i++) {
            stage.hold(frame("x"), 0, DN);
            long wait = stage.nanosUntilDue();
            assertThat(wait).isBetween(Duration.ofMillis(10).toNanos(), Duration.ofMillis(15).toNanos());
            seen.add(wait);
            clock.advance(Duration.ofMillis(15));
            assertThat(stage.release(this::sink)).isEqualTo(1);
        }
        assertThat(seen).hasSizeGreaterThan(1);
    }

    @Test
    void aFullRingRefusesTheFrameAndReusesItsSlotsOnceReleased() throws Exception {
        DelayStage stage = new DelayStage(new TestDelay(Duration.ofMillis(5), null, 2), 8, clock, new SplittableRandom(1));
        assertThat(stage.hold(frame("a"), 0, DN)).isTrue();
        assertThat(stage.hold(frame("b"), 0, DN)).isTrue();
        assertThat(stage.hold(frame("c"), 0, DN)).isFalse();
        assertThat(stage.hold(frame("much too long"), 0, DN)).isFalse();
        clock.advance(Duration.ofMillis(5));
        assertThat(stage.release(this::sink)).isEqualTo(2);
        assertThat(stage.hold(frame("d"), 0, DN)).isTrue();
        clock.advance(Duration.ofMillis(5));
        stage.release(this::sink);
        assertThat(sent).containsExactly("a@0>4789", "b@0>4789", "d@0>4789");
    }
}
