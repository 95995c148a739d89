package dev.d2r2.broker.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayDeque;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The allocation-free window against its definition: an event is taken exactly when it is not
 * among the last {@code size} events taken. Small windows and few distinct keys, so that keys
 * collide, come back, and are pushed out all the time (the index's backward-shift deletion on
 * every path).
 */
class EventWindowPropertiesTest {

    private record Key(String publisher, long sequence, long fingerprint) {
    }

    @Property(tries = 1000)
    void takesAnEventExactlyWhenItIsNotAmongTheLastSizeTaken(@ForAll @IntRange(min = 1, max = 40) int size,
                                                             @ForAll @IntRange(min = 1, max = 5) int publishers,
                                                             @ForAll @IntRange(min = 1, max = 60) int sequences,
                                                             @ForAll @LongRange(min = 0, max = 2) long fingerprints,
                                                             @ForAll long seed) {
        Random random = new Random(seed);
        EventWindow window = new EventWindow(size);
        ArrayDeque<Key> lastTaken = new ArrayDeque<>();
        for (int step = 0; step < 3000; step++) {
            // new String: equal publishers arrive as distinct objects, as they do off the wire
            Key k = new Key(new String("p" + random.nextInt(publishers)), random.nextInt(sequences),
                    fingerprints == 0 ? 0 : random.nextLong(fingerprints + 1));
            boolean expected = !lastTaken.contains(k);
            assertThat(window.take(k.publisher(), k.sequence(), k.fingerprint())).as("step %d: %s", step, k)
                    .isEqualTo(expected);
            if (expected) {
                lastTaken.addLast(k);
                if (lastTaken.size() > size) {
                    lastTaken.removeFirst();
                }
            }
        }
    }

    @Property(tries = 200)
    void aFilterBySequenceDeliversEachOfInterleavedCopiesOnceInOrder(@ForAll @IntRange(min = 1, max = 4) int replicas,
                                                              @ForAll @IntRange(min = 0, max = 20) int maxLag,
                                                              @ForAll long seed) {
        Random random = new Random(seed);
        EventWindow window = new EventWindow(64);
        long[] next = new long[replicas];
        int events = 500;
        int delivered = 0;
        long highest = 0;
        long lowest = 0;
        while (lowest < events) {
            int r = random.nextInt(replicas);
            // each replica delivers every event in order, at most maxLag + 1 ahead of the slowest
            if (next[r] >= events || next[r] - lowest > maxLag) {
                continue;
            }
            long seq = ++next[r];
            lowest = Long.MAX_VALUE;
            for (long n : next) {
                lowest = Math.min(lowest, n);
            }
            if (window.take("pub", seq, 0)) {
                assertThat(seq).as("first copies come in order").isEqualTo(highest + 1);
                highest = seq;
                delivered++;
            }
        }
        assertThat(delivered).isEqualTo(events);
    }
}
