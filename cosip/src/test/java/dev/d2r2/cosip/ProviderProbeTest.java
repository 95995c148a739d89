package dev.d2r2.cosip;

import dev.d2r2.cosip.ProviderProbe.Change;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderProbeTest {
    private final ProviderProbe probe = new ProviderProbe(500, 2, 2, 0);

    @Test
    void downAfterTwoMissesInARowAndUpAfterTwoAnswersInARow() {
        assertThat(probe.onTimer(0)).isEqualTo(Change.NONE);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.NONE);
        assertThat(probe.onTimer(500)).isEqualTo(Change.NONE);
        assertThat(probe.onTimer(1000)).isEqualTo(Change.NONE);
        assertThat(probe.onTimer(1500)).isEqualTo(Change.DOWN);
        assertThat(probe.up()).isFalse();
        assertThat(probe.onTimer(2000)).isEqualTo(Change.NONE);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.NONE);
        assertThat(probe.onTimer(2500)).isEqualTo(Change.NONE);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.UP);
        assertThat(probe.up()).isTrue();
        assertThat(probe.nextDue()).isEqualTo(3000);
    }

    @Test
    void aMissBetweenAnswersStartsTheCountAgainAndLateOrRepeatedAnswersDoNotCount() {
        probe.onTimer(0);
        probe.onTimer(500);
        assertThat(probe.onTimer(1000)).isEqualTo(Change.DOWN);
        long late = probe.seq();
        probe.onTimer(1500);
        assertThat(probe.onAnswer(late)).isEqualTo(Change.NONE);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.NONE);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.NONE);
        probe.onTimer(2000);
        probe.onTimer(2500);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.NONE);
        assertThat(probe.up()).isFalse();
        probe.onTimer(3000);
        assertThat(probe.onAnswer(probe.seq())).isEqualTo(Change.UP);
    }
}
