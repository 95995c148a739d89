package dev.d2r2.monitor;

import dev.d2r2.monitor.events.AlarmEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AlarmTest {
    private static ThresholdConfig above(Double clear, Duration hold, String samples) {
        return new ThresholdConfig("tcp.connect_ms", null, 50.0, 200.0, clear, hold, samples);
    }

    /** Feeds values one second apart; returns "from->to" per published transition. */
    private static List<String> feed(Alarm a, double... values) {
        List<String> out = new ArrayList<>();
        long t = 0;
        for (double v : values) {
            AlarmEvent e = a.sample(v, t += 1000);
            if (e != null) {
                out.add(e.from() + "->" + e.to());
            }
        }
        return out;
    }

    @Test
    void levelsInBothDirections() {
        assertThat(feed(new Alarm("s", "m", above(null, null, null)), 10, 60, 250, 60, 10))
                .containsExactly("null->ok", "ok->warning", "warning->critical", "critical->warning", "warning->ok");
        Alarm below = new Alarm("s", "m", new ThresholdConfig("m", "below", 0.99, 0.95, null, null, null));
        assertThat(feed(below, 1.0, 0.97, 0.9, 1.0)).containsExactly("null->ok", "ok->warning", "warning->critical", "critical->ok");
    }

    @Test
    void hysteresisKeepsTheAlarmUntilTheClearLevel() {
        assertThat(feed(new Alarm("s", "m", above(40.0, null, null)), 10, 60, 45, 41, 39))
                .containsExactly("null->ok", "ok->warning", "warning->ok");
        assertThat(feed(new Alarm("s", "m", above(40.0, null, null)), 10, 60, 45)).containsExactly("null->ok", "ok->warning");
    }

    @Test
    void forRequiresTheNewLevelToLast() {
        assertThat(feed(new Alarm("s", "m", above(null, Duration.ofSeconds(3), null)), 10, 10, 10, 10, 60, 60, 10, 60, 60, 60, 60))
                .containsExactly("null->ok", "ok->warning");
        // ok from t=1..4 (confirmed at t=4), warning from t=8 confirmed at t=11 (3 s later); the 2-sample blip at t=5,6 never was.
    }

    @Test
    void kOfTheLastNSamples() {
        assertThat(feed(new Alarm("s", "m", above(null, null, "2 of 3")), 10, 10, 60, 10, 60))
                .containsExactly("null->ok", "ok->warning");
    }

    @Test
    void unknownIsImmediateAndTheStateIsReasserted() {
        Alarm a = new Alarm("s", "m", above(null, Duration.ofMinutes(5), null));
        assertThat(a.unknown(1000, "timeout").to()).isEqualTo("unknown");
        AlarmEvent again = a.reassert(2000);
        assertThat(again.from()).isEqualTo("unknown");
        assertThat(again.to()).isEqualTo("unknown");
        assertThat(new Alarm("s", "m", above(null, null, null)).reassert(1)).isNull();
    }
}
