package dev.d2r2.broker.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The table of sequence numbers a running replica of a forwarded channel saw skipped. */
class ForwardedGapsTest {
    private final ForwardedGaps gaps = new ForwardedGaps();

    @Test
    void aJumpOpensARangeThatArrivingCopiesSplitAndClose() {
        gaps.took("p", 1, 1_000, 5_000);
        gaps.took("p", 2, 1_001, 5_001);
        gaps.took("p", 7, 1_006, 5_002);

        assertThat(gaps.seenBy(5_001)).isEmpty();
        assertThat(gaps.seenBy(5_002)).containsExactly(new ForwardedGaps.Gap("p", 3, 6, 1_001, 5_002));
        assertThat(gaps.missing("p", 2)).isFalse();
        assertThat(gaps.missing("p", 4)).isTrue();
        assertThat(gaps.missing("q", 4)).isFalse();

        gaps.took("p", 4, 1_003, 5_003);
        assertThat(gaps.seenBy(Long.MAX_VALUE)).extracting(ForwardedGaps.Gap::from, ForwardedGaps.Gap::to)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(3L, 3L), org.assertj.core.groups.Tuple.tuple(5L, 6L));
        gaps.took("p", 3, 1_002, 5_004);
        gaps.took("p", 5, 1_004, 5_004);
        gaps.took("p", 6, 1_005, 5_004);
        assertThat(gaps.seenBy(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void aPublishersFirstEventAndTheLogTailOnStartOpenNothing() {
        gaps.took("p", 40, 1_000, 5_000);
        gaps.resume("q", 10, 900);
        gaps.resume("q", 12, 901);
        assertThat(gaps.seenBy(Long.MAX_VALUE)).isEmpty();
        gaps.took("q", 15, 1_000, 5_000);
        assertThat(gaps.seenBy(Long.MAX_VALUE)).containsExactly(new ForwardedGaps.Gap("q", 13, 14, 901, 5_000));
    }

    @Test
    void aForgottenRangeIsNoLongerMissingAndIsReturnedOnce() {
        gaps.took("p", 1, 1_000, 5_000);
        gaps.took("p", 10, 1_009, 5_001);
        gaps.took("p", 5, 1_004, 5_002);
        List<ForwardedGaps.Gap> forgotten = gaps.forget("p", 2, 9);
        assertThat(forgotten).extracting(ForwardedGaps.Gap::count).containsExactly(3L, 4L);
        assertThat(gaps.missing("p", 3)).isFalse();
        assertThat(gaps.forget("p", 2, 9)).isEmpty();
    }

    @Test
    void theTableIsBoundedByAbandoningTheOldestRange() {
        for (int i = 0; i <= ForwardedGaps.MAX_RANGES; i++) {
            gaps.took("p", 2L * i + 1, i, i);
        }
        // MAX_RANGES + 1 events with a hole after each but the last: MAX_RANGES ranges, none abandoned yet.
        assertThat(gaps.drainAbandoned()).isEmpty();
        gaps.took("p", 2L * ForwardedGaps.MAX_RANGES + 3, 0, 99_999);
        List<ForwardedGaps.Gap> abandoned = gaps.drainAbandoned();
        assertThat(abandoned).containsExactly(new ForwardedGaps.Gap("p", 2, 2, 0, 1));
        assertThat(gaps.missing("p", 2)).isFalse();
        assertThat(gaps.seenBy(Long.MAX_VALUE)).hasSize(ForwardedGaps.MAX_RANGES);
        assertThat(gaps.drainAbandoned()).isEmpty();
    }
}
