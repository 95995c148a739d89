package dev.d2r2.broker.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlushPacerTest {
    @Test
    void firstFlushAndFlushesAfterAQuietSpellGoAtOnce() {
        FlushPacer pacer = new FlushPacer();
        assertThat(pacer.delay(0)).isZero();
        pacer.flushed(1_000_000);
        assertThat(pacer.delay(1_000_000 + FlushPacer.GAP_NANOS)).isZero();
        assertThat(pacer.delay(9_000_000)).isZero();
    }

    @Test
    void aFlushWithinTheGapWaitsForItsEnd() {
        FlushPacer pacer = new FlushPacer();
        pacer.flushed(1_000_000);
        assertThat(pacer.delay(1_000_000)).isEqualTo(FlushPacer.GAP_NANOS);
        assertThat(pacer.delay(1_000_000 + 40_000)).isEqualTo(FlushPacer.GAP_NANOS - 40_000);
    }
}
