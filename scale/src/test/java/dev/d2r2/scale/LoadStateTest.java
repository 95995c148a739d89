package dev.d2r2.scale;

import dev.d2r2.scale.LoadState.Level;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LoadStateTest {
    private static final String CPS = "calls_per_s";
    private static final String CALLS = ScaleDown.ACTIVE_CALLS;

    private static LoadState state() throws Exception {
        // warning 100 for 2 s, critical 140 for 500 ms; underload: active calls below 20 for 10 s
        return new LoadState(ScaleConfig.load(java.nio.file.Path.of("../examples/scale/sip.yaml")).type("sip"));
    }

    @Test
    void warningMustHoldForItsTimespanAndAShortPeakScalesNothing() throws Exception {
        LoadState s = state();
        assertThat(s.observe(0, Map.of(CPS, 110.0, CALLS, 50.0))).isEqualTo(Level.OK);
        assertThat(s.observe(1_900, Map.of(CPS, 110.0, CALLS, 50.0))).isEqualTo(Level.OK);
        assertThat(s.observe(1_950, Map.of(CPS, 90.0, CALLS, 50.0))).as("the peak ended").isEqualTo(Level.OK);
        assertThat(s.observe(2_100, Map.of(CPS, 110.0, CALLS, 50.0))).as("a new peak starts afresh").isEqualTo(Level.OK);
        assertThat(s.observe(4_100, Map.of(CPS, 110.0, CALLS, 50.0))).isEqualTo(Level.OVERLOAD);
    }

    @Test
    void criticalNeedsOnlyItsShorterTimespan() throws Exception {
        LoadState s = state();
        s.observe(0, Map.of(CPS, 150.0));
        assertThat(s.observe(499, Map.of(CPS, 150.0))).isEqualTo(Level.OK);
        assertThat(s.observe(500, Map.of(CPS, 150.0))).isEqualTo(Level.OVERLOAD);
    }

    @Test
    void underloadIsFewActiveCallsForLongAndNeverWhileAMetricWarnsOrIsMissing() throws Exception {
        LoadState s = state();
        assertThat(s.observe(0, Map.of(CPS, 5.0, CALLS, 3.0))).isEqualTo(Level.OK);
        assertThat(s.observe(9_999, Map.of(CPS, 5.0, CALLS, 3.0))).isEqualTo(Level.OK);
        assertThat(s.observe(10_000, Map.of(CPS, 5.0, CALLS, 3.0))).isEqualTo(Level.UNDERLOAD);
        assertThat(s.observe(10_100, Map.of(CPS, 5.0))).as("missing data never shrinks the pool").isEqualTo(Level.OK);
        assertThat(s.observe(10_200, Map.of(CPS, 120.0, CALLS, 3.0))).as("a warning metric").isEqualTo(Level.OK);
        s.restart();
        assertThat(s.observe(20_000, Map.of(CPS, 5.0, CALLS, 3.0))).isEqualTo(Level.OK);
    }
}
