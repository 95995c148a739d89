package dev.d2r2.broker.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LimitsConfigTest {
    @Test
    void absentKeysTakeTheDefaults() {
        assertThat(new LimitsConfig(null, null, null, null, null, null, null).toLimits())
                .isEqualTo(ConnectionLimits.DEFAULTS);
    }

    @Test
    void readsEveryKey() {
        assertThat(new LimitsConfig(10, 2, 3, "2s", "500ms", "1m", "32MiB").toLimits()).isEqualTo(new ConnectionLimits(
                10, 2, 3, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMinutes(1), 32L << 20));
    }

    @Test
    void sizesTakeBinaryUnits() {
        assertThat(LimitsConfig.bytes("65536")).isEqualTo(65536);
        assertThat(LimitsConfig.bytes("512 KiB")).isEqualTo(512 * 1024);
        assertThat(LimitsConfig.bytes("1GiB")).isEqualTo(1L << 30);
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> new LimitsConfig(0, null, null, null, null, null, null))
                .hasMessageContaining("connections must be at least 1");
        assertThatThrownBy(() -> new LimitsConfig(null, null, null, null, null, null, "64MB"))
                .hasMessageContaining("not a size");
        assertThatThrownBy(() -> new LimitsConfig(null, null, null, null, null, null, "1MiB"))
                .hasMessageContaining("one largest frame");
        assertThatThrownBy(() -> new LimitsConfig(null, null, null, "0s", null, null, null))
                .hasMessageContaining("handshakeTimeout");
    }
}
