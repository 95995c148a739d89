package dev.d2r2.tunnel.path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Primary-backup with hysteresis and concurrent spreading, in virtual time. */
class PathSelectorTest {
    private static final long S = 1_000_000_000L;

    private static PathSelector.Switch eval(PathSelector s, long at, boolean u0, double c0, boolean u1, double c1) {
        return s.evaluate(new boolean[]{u0, u1}, new double[]{c0, c1}, at);
    }

    @Test
    void takesTheCheapestAtStartAndTheBackupAtOnceWhenItGoesDown() {
        PathSelector s = new PathSelector(PathSelector.Mode.PRIMARY_BACKUP, 2, 5, 2 * S);
        assertThat(eval(s, 0, true, 1, true, 30)).isEqualTo(new PathSelector.Switch(-1, 0, "up"));
        assertThat(eval(s, 1, false, 1, true, 30)).isEqualTo(new PathSelector.Switch(0, 1, "down"));
        assertThat(s.weights()).containsExactly(0, 1);
        assertThat(eval(s, 2, false, 1, false, 30)).isEqualTo(new PathSelector.Switch(1, -1, "lost"));
        assertThat(s.weights()).containsExactly(0, 0);
    }

    @Test
    void aBetterPathWinsOnlyByTheMarginForTheHoldTime() {
        PathSelector s = new PathSelector(PathSelector.Mode.PRIMARY_BACKUP, 2, 5, 2 * S);
        eval(s, 0, false, 0, true, 10);
        assertThat(eval(s, 0, true, 6, true, 10)).as("within the margin").isNull();
        assertThat(eval(s, S, true, 1, true, 10)).as("better, hold starts").isNull();
        assertThat(eval(s, 2 * S, true, 1, true, 10)).isNull();
        assertThat(eval(s, 3 * S, true, 1, true, 10)).isEqualTo(new PathSelector.Switch(1, 0, "better"));
    }

    @Test
    void aFlappingPathNeverPullsTheTraffic() {
        PathSelector s = new PathSelector(PathSelector.Mode.PRIMARY_BACKUP, 2, 5, 2 * S);
        eval(s, 0, false, 0, true, 10);
        for (long t = 0; t < 100 * S; t += S) {
            assertThat(eval(s, t, true, 1, true, 10)).isNull();
            assertThat(eval(s, t + S / 2, false, 1, true, 10)).isNull();
        }
        assertThat(s.active()).isEqualTo(1);
    }

    @Test
    void concurrentModeSpreadsByCost() {
        PathSelector s = new PathSelector(PathSelector.Mode.CONCURRENT, 2, 5, 2 * S);
        eval(s, 0, true, 1, true, 3);
        assertThat(s.weights()).containsExactly(500, 250);
        int[] same = s.weights();
        eval(s, 1, true, 1, true, 3);
        assertThat(s.weights()).as("no new array when nothing changed").isSameAs(same);
        eval(s, 2, true, 1, false, 3);
        assertThat(s.weights()).containsExactly(500, 0);
    }
}
