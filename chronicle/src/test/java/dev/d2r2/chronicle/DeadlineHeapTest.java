package dev.d2r2.chronicle;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineHeapTest {
    @Property(tries = 300)
    void pollsInDeadlineOrderWhateverTheInsertionOrder(@ForAll List<Long> deadlines) {
        DeadlineHeap<Long> heap = new DeadlineHeap<>();
        for (long d : deadlines) {
            heap.add(d, d);
        }
        List<Long> out = new ArrayList<>();
        while (heap.size() > 0) {
            long key = heap.peekKey();
            long value = heap.poll();
            assertThat(value).isEqualTo(key);
            out.add(value);
        }
        assertThat(out).isEqualTo(deadlines.stream().sorted().toList());
        assertThat(heap.peekKey()).isEqualTo(Long.MAX_VALUE);
    }
}
