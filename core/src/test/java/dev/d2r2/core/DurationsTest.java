package dev.d2r2.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {
    @Test
    void parsesOperatorUnits() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> Durations.parse("5 parsecs")).hasMessageContaining("not a duration");
    }

    @Test
    void formatsCompactly() {
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofMinutes(3))).isEqualTo("3m");
    }

    @Test
    void manualClockMovesOnlyForward() {
        ManualClock c = new ManualClock(1000);
        c.advance(Duration.ofMillis(5));
        assertThat(c.millis()).isEqualTo(1005);
        assertThat(c.nanos()).isEqualTo(1_005_000_000L);
        assertThatThrownBy(() -> c.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
