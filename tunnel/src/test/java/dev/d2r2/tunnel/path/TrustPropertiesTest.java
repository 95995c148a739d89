package dev.d2r2.tunnel.path;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trust in the path choice, through the real {@link PathBoard} fed with probe echoes at chosen round
 * trips: indictments make a faster path lose the traffic exactly when its distrust outweighs its
 * lead by the hysteresis margin, and a path without trust is never chosen, however fast.
 */
class TrustPropertiesTest {
    private static final long MS = 1_000_000;
    private static final double MARGIN = 5;
    private static final Duration HOLD = Duration.ofMillis(200);

    @Property(tries = 200)
    void anIndictedPathKeepsTheTrafficOnlyWhileItsLeadOutweighsItsDistrust(
            @ForAll @IntRange(min = 1, max = 60) int fastRtt, @ForAll @IntRange(min = 0, max = 60) int lead,
            @ForAll @IntRange(min = 0, max = 3) int indictments, @ForAll @DoubleRange(min = 0, max = 2) double distrustWeight) {
        int slowRtt = fastRtt + lead;
        TrustBook trust = new TrustBook(0.3, 0);
        PathBoard board = board(trust, new ScoreWeights(1, 2, 10, distrustWeight));
        long t = run(board, 0, 1000, fastRtt, slowRtt, true);
        assertThat(board.active()).as("the faster path (the first on a tie) at the start").isZero();
        for (int i = 0; i < indictments; i++) {
            trust.apply(new TrustInput("p1", TrustInput.Change.INDICT));
        }
        run(board, t, 1000, fastRtt, slowRtt, true);
        double fastCost = fastRtt + distrustWeight * (1 - trust.trust("p1")) * 100;
        assertThat(board.active()).isEqualTo(slowRtt + MARGIN < fastCost ? 1 : 0);
    }

    @Property(tries = 200)
    void aPathWithoutTrustIsNeverChosenHoweverFast(@ForAll long seed, @ForAll @IntRange(min = 1, max = 50) int fastRtt,
                                                  @ForAll @IntRange(min = 1, max = 200) int slowerBy) {
        Random r = new Random(seed);
        TrustBook trust = new TrustBook(0.5, 0);
        PathBoard board = board(trust, ScoreWeights.DEFAULTS);
        long t = run(board, 0, 500, fastRtt, fastRtt + slowerBy, true);
        trust.apply(new TrustInput("p1", TrustInput.Change.DISTRUST));
        for (int round = 0; round < 20; round++) {
            boolean p2Answers = r.nextInt(3) > 0;
            long end = t + (50 + r.nextInt(300)) * MS;
            for (; t < end; t += 10 * MS) {
                tick(board, t, fastRtt, fastRtt + slowerBy, p2Answers);
                assertThat(board.active()).as("p1 has no trust").isNotZero();
            }
        }
        trust.apply(new TrustInput("p1", TrustInput.Change.RESTORE));
        run(board, t, 1000, fastRtt, fastRtt + slowerBy, true);
        if (slowerBy > MARGIN) {
            assertThat(board.active()).as("trusted again, the faster path wins the traffic back").isZero();
        }
    }

    private static PathBoard board(TrustBook trust, ScoreWeights weights) {
        return new PathBoard("a", new String[]{"p1", "p2"}, new double[2],
                new MhConfig.Probe(Duration.ofMillis(10), 20, Duration.ofMillis(300), Duration.ofMillis(300)), weights,
                new MhConfig.Hysteresis(MARGIN, HOLD), trust, PathSelector.Mode.PRIMARY_BACKUP, new WeightedRoundRobin(2), e -> { });
    }

    /** Probes both paths every 10 ms for {@code millis} from {@code from}; returns the time reached. */
    private static long run(PathBoard board, long from, long millis, int rtt1, int rtt2, boolean p2Answers) {
        long t = from;
        for (; t < from + millis * MS; t += 10 * MS) {
            tick(board, t, rtt1, rtt2, p2Answers);
        }
        return t;
    }

    /** One probe on each path, echoed after its round trip (p2's only if it answers), then a decision. */
    private static void tick(PathBoard board, long t, int rtt1, int rtt2, boolean p2Answers) {
        int s1 = board.probeSent(0, t);
        int s2 = board.probeSent(1, t);
        board.echoed(0, s1, t + rtt1 * MS);
        if (p2Answers) {
            board.echoed(1, s2, t + rtt2 * MS);
        }
        board.evaluate(t / MS, t + 10 * MS - 1, "b", false);
    }
}
