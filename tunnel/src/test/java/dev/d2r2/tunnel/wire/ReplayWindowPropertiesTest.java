package dev.d2r2.tunnel.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window against a plain model on unbounded numbers: a frame is accepted iff it is the first
 * after a silence, or it was never accepted and lies above the highest accepted minus the
 * window's size. Streams run forwards with reordering, duplicates, replays of old frames, jumps,
 * silences and the 32-bit wrap.
 */
class ReplayWindowPropertiesTest {
    private static final long FORGET = 1_000;

    /** One received frame: its number relative to the highest accepted (or a replay of an earlier one), and the time since the last. */
    record Step(int kind, long delta, int earlier, long pause) {
    }

    /** The model: a set of every accepted number, on longs that never wrap. */
    private static final class Model {
        final Set<Long> seen = new HashSet<>();
        long top;
        boolean started;
        long lastAcceptedAt;

        boolean accept(long seq, long now) {
            if (!started || now - lastAcceptedAt > FORGET) {
                seen.clear();
                started = true;
                top = seq;
            }
            if (seq <= top - ReplayWindow.SIZE || !seen.add(seq)) {
                return false;
            }
            top = Math.max(top, seq);
            lastAcceptedAt = now;
            return true;
        }
    }

    @Property(tries = 300)
    void agreesWithTheModel(@ForAll int start, @ForAll("streams") @Size(max = 400) List<Step> steps) {
        ReplayWindow window = new ReplayWindow(FORGET);
        Model model = new Model();
        long[] sent = new long[steps.size()];
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            long top = model.started ? model.top : start;
            long seq = s.kind() == 0 || i == 0 ? top + s.delta() : sent[s.earlier() % i];
            if (Math.abs(seq - top) >= Integer.MAX_VALUE) {
                // a 32-bit number this far from the highest is read as the nearer one: outside what the model can say
                seq = top;
            }
            sent[i] = seq;
            now += s.pause();
            boolean expected = model.accept(seq, now);
            assertThat(window.accept((int) seq, now)).as("step %d: %d", i, seq).isEqualTo(expected);
        }
    }

    @Property(tries = 100)
    void acceptsEachNumberAtMostOnceWhileLive(@ForAll int start, @ForAll @Size(max = 300) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 3000) Integer> offsets) {
        ReplayWindow window = new ReplayWindow(FORGET);
        Set<Integer> accepted = new HashSet<>();
        for (int offset : offsets) {
            int seq = start + offset;
            if (window.accept(seq, 0)) {
                assertThat(accepted.add(seq)).as("%d accepted twice", seq).isTrue();
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> streams() {
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 9).map(k -> k < 7 ? 0 : 1);
        Arbitrary<Long> delta = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(-8, 8)),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(-2L * ReplayWindow.SIZE, 2L * ReplayWindow.SIZE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-1L << 30, 1L << 30)));
        Arbitrary<Long> pause = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.longs().between(0, 10)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(FORGET - 5, FORGET + 5)));
        return Combinators.combine(kind, delta, Arbitraries.integers().between(0, Integer.MAX_VALUE), pause)
                .as(Step::new).list();
    }
}
