package dev.d2r2.chronicle;

import dev.d2r2.broker.MissingNotice;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MergerTest {
    private static Event ev(String id, String type, long t) {
        return new Event(id, type, t, null, null, null, Map.of());
    }

    private static Merger merger(int capacity, long lateness, Set<String> reads, Set<String> focused) {
        return new Merger(capacity, lateness, reads::contains, focused::contains);
    }

    private static List<String> drain(Merger m) throws InterruptedException {
        List<String> out = new ArrayList<>();
        Object x;
        while ((x = m.poll(0)) != null) {
            out.add(x instanceof Event e ? e.id() : "missing");
        }
        return out;
    }

    @Test
    void focusedEventsJumpTheBacklogOnlyWithinTheLateness() throws InterruptedException {
        Merger m = merger(100, 50, Set.of("A", "F"), Set.of("F"));
        m.put(ev("a", "A", 100));
        m.put(ev("b", "A", 120));
        m.put(ev("f1", "F", 140));
        m.put(ev("f2", "F", 400));
        assertThat(drain(m)).containsExactly("f1", "a", "b", "f2");
        assertThat(m.focusedFirst()).isEqualTo(1);
    }

    @Test
    void focusNeverOvertakesAMissingEventNotice() throws InterruptedException {
        Merger m = merger(100, 50, Set.of("A", "F"), Set.of("F"));
        m.put(ev("a", "A", 100));
        m.put(new MissingNotice("c", 0, 1, 2, 90, 110));
        m.put(ev("f", "F", 100));
        assertThat(drain(m)).containsExactly("a", "missing", "f");
    }

    @Test
    void aFullBufferDropsTheTypesNoChronicleReads() throws InterruptedException {
        Merger m = merger(4, 0, Set.of("A"), Set.of());
        m.put(ev("a", "A", 1));
        m.put(ev("n1", "Noise", 2));
        m.put(ev("n2", "Noise", 3));
        m.put(ev("b", "A", 4));
        assertThat(m.offer(ev("c", "A", 5))).isFalse();
        assertThat(drain(m)).containsExactly("a", "b");
        assertThat(m.ruleOnDropped()).isEqualTo(2);
        assertThat(m.offer(ev("c", "A", 5))).isTrue();
        assertThat(drain(m)).containsExactly("c");
    }

    @Test
    void theRecognizerFocusesOnTypesThatPartialInstancesWaitFor() throws Exception {
        Recognizer r = new Recognizer(ChronicleCompiler.compile("f.chr",
                "chronicle F { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [1ms, 5s] }").chronicles(),
                Recognizer.Options.DEFAULT, x -> { });
        assertThat(r.focuses("B")).isFalse();
        r.accept(new Event("a", "A", 0, null, null, null, Map.of("k", "1")));
        assertThat(r.focuses("B")).isTrue();
        assertThat(r.reads("B")).isTrue();
        assertThat(r.reads("Noise")).isFalse();
        r.accept(ev("z", "Z", 10_000));
        assertThat(r.focuses("B")).isFalse();
    }
}
