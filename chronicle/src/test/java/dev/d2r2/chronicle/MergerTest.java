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

    private static List<String> drain(Merger m, Set<String> reads, Set<String> focused) throws InterruptedException {
        List<String> out = new ArrayList<>();
        Object x;
        while ((x = m.take(0, reads::contains, focused::contains)) != null) {
            out.add(x instanceof Event e ? e.id() : "missing");
        }
        return out;
    }

    @Test
    void focusedEventsJumpTheBacklogOnlyWithinTheLateness() throws InterruptedException {
        Merger m = new Merger(100, 50);
        m.put(ev("a", "A", 100));
        m.put(ev("b", "A", 120));
        m.put(ev("f1", "F", 140));
        m.put(ev("f2", "F", 400));
        assertThat(drain(m, Set.of("A", "F"), Set.of("F"))).containsExactly("f1", "a", "b", "f2");
        assertThat(m.focusedFirst()).isEqualTo(1);
    }

    @Test
    void focusNeverOvertakesAMissingEventNotice() throws InterruptedException {
        Merger m = new Merger(100, 50);
        m.put(ev("a", "A", 100));
        m.put(new MissingNotice("c", 0, 1, 2, 90, 110));
        m.put(ev("f", "F", 100));
        assertThat(drain(m, Set.of("A", "F"), Set.of("F"))).containsExactly("a", "missing", "f");
    }

    @Test
    void aFullBufferDropsTheTypesNoChronicleReads() throws InterruptedException {
        Merger m = new Merger(4, 0);
        m.put(ev("a", "A", 1));
        m.put(ev("n1", "Noise", 2));
        m.put(ev("n2", "Noise", 3));
        m.put(ev("b", "A", 4));
        assertThat(drain(m, Set.of("A"), Set.of())).containsExactly("a", "b");
        assertThat(m.ruleOnDropped()).isEqualTo(2);
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
