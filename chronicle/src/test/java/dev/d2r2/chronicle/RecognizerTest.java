package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecognizerTest {
    private final List<Recognition> found = new ArrayList<>();

    private Recognizer recognizer(String text, long lateness) throws ChronicleException {
        return new Recognizer(ChronicleCompiler.compile("t.chr", text).chronicles(),
                new Recognizer.Options(lateness, 3_600_000), found::add);
    }

    private List<Recognition> run(String text, Event... events) throws ChronicleException {
        Recognizer r = recognizer(text, 0);
        for (Event e : events) {
            r.accept(e);
        }
        r.close();
        return found;
    }

    private static Event msg(String id, String type, long t, Map<String, Object> attrs) {
        return new Event(id, type, t, null, null, null, attrs);
    }

    private static Event state(String id, String type, long t, String source, String from, String to) {
        return new Event(id, type, t, source, from, to, Map.of());
    }

    @Test
    void theSeedsMyChronicleVerbatim() throws ChronicleException {
        String seed = """
                Chronicle myChronicle{
                event (B:(?, critical), t1)
                event (L:(good, bad), t2)
                event (IPloss:(?, high), t3)
                hold (link:WiFi, (t1, t4))
                t2 - t1 in [2',5']
                t2 <t4
                t3 - t1 in [0',10']
                t3 <t4 }
                """;
        List<Recognition> r = run(seed,
                state("l0", "link", 0, "ap", null, "WiFi"),
                state("b", "B", 60_000, "ap", "ok", "critical"),
                state("ip", "IPloss", 120_000, "ap", "low", "high"),
                state("l", "L", 240_000, "ap", "good", "bad"),
                state("l1", "link", 400_000, "ap", "WiFi", "LTE"));
        assertThat(r).hasSize(1);
        assertThat(r.getFirst().events()).containsExactly("b", "l", "ip");
        assertThat(r.getFirst().times()).containsEntry("t4", 240_001L);
        assertThat(r.getFirst().at()).isEqualTo(240_001L);
    }

    @Test
    void holdFailsWhenTheStateChangesInsideTheInterval() throws ChronicleException {
        String text = "chronicle H { event(B, t1) event(C, t2) hold(link:WiFi, (t1, t2)) t2 > t1 }";
        assertThat(run(text, state("l0", "link", 0, null, null, "WiFi"), msg("b", "B", 10, Map.of()),
                state("l1", "link", 15, null, "WiFi", "LTE"), msg("c", "C", 20, Map.of()))).isEmpty();
    }

    @Test
    void holdIntervalIncludesItsEndButNotItsStart() throws ChronicleException {
        String text = "chronicle H { event(B, t1) event(C, t2) hold(link:WiFi, (t1, t2)) t2 > t1 }";
        // A change exactly at ta is "the last one with time <= ta": it must already be WiFi.
        assertThat(run(text, state("l0", "link", 0, null, null, "LTE"), msg("b", "B", 10, Map.of()),
                state("l1", "link", 10, null, "LTE", "WiFi"), msg("c", "C", 20, Map.of()))).hasSize(1);
        found.clear();
        assertThat(run(text, state("l0", "link", 0, null, null, "WiFi"), msg("b", "B", 10, Map.of()),
                msg("c", "C", 20, Map.of()), state("l1", "link", 20, null, "WiFi", "LTE"))).isEmpty();
    }

    @Test
    void noeventIsHalfOpen() throws ChronicleException {
        String text = "chronicle N { event(A, t1) event(B, t2) noevent(X, (t1, t2)) t2 - t1 in [0, 10s] }";
        assertThat(run(text, msg("a", "A", 0, Map.of()), msg("x", "X", 0, Map.of()), msg("b", "B", 5, Map.of()))).isEmpty();
        found.clear();
        assertThat(run(text, msg("a", "A", 0, Map.of()), msg("b", "B", 5, Map.of()), msg("x", "X", 5, Map.of()))).hasSize(1);
    }

    @Test
    void occursCountsWithinBoundsAndNotTheBoundEvents() throws ChronicleException {
        String text = "chronicle O { event(A, t1) event(A, t2) occurs((2, 3), A, (t1, t2)) t2 - t1 in [1ms, 100ms] }";
        List<Event> evs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            evs.add(msg("a" + i, "A", i * 10L, Map.of()));
        }
        List<Recognition> r = run(text, evs.toArray(Event[]::new));
        // Only (a0, a3) has 2 unbound A's (a1, a2) inside [0, 30).
        assertThat(r).extracting(Recognition::events).containsExactly(List.of("a0", "a3"));
    }

    @Test
    void variablesJoinAndEachRecognitionIsReportedOnce() throws ChronicleException {
        String text = "chronicle J { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [0, 5s] }";
        List<Recognition> r = run(text, msg("a1", "A", 0, Map.of("k", "u")), msg("a2", "A", 1, Map.of("k", "v")),
                msg("b1", "B", 2, Map.of("k", "v")), msg("b2", "B", 6000, Map.of("k", "u")));
        assertThat(r).extracting(Recognition::events).containsExactly(List.of("a2", "b1"));
        assertThat(r.getFirst().bindings()).containsEntry("x", "v");
    }

    @Test
    void partialInstancesDieWhenTheirDeadlinePasses() throws ChronicleException {
        Recognizer r = recognizer("chronicle D { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [0, 5s] }", 0);
        for (int i = 0; i < 10_000; i++) {
            r.accept(msg(null, "A", i * 10L, Map.of("k", "key" + i)));
        }
        assertThat(r.stats().liveInstances()).isLessThanOrEqualTo(501);
        r.accept(msg(null, "Z", 1_000_000, Map.of()));
        assertThat(r.stats().liveInstances()).isZero();
        assertThat(r.stats().peakInstances()).isLessThanOrEqualTo(502);
    }

    @Test
    void lateEventsAreDroppedAndCountedWithinLatenessTheyCount() throws ChronicleException {
        Recognizer r = recognizer("chronicle L { event(A, t1) event(B, t2) t2 - t1 in [-5s, 5s] }", 1000);
        assertThat(r.accept(msg("b", "B", 5000, Map.of()))).isTrue();
        assertThat(r.accept(msg("a", "A", 4500, Map.of()))).isTrue();
        assertThat(r.accept(msg("late", "A", 3000, Map.of()))).isFalse();
        r.close();
        assertThat(r.stats().late()).isEqualTo(1);
        assertThat(found).extracting(Recognition::events).containsExactly(List.of("a", "b"));
    }

    @Test
    void emittedEventsFeedOtherChronicles() throws ChronicleException {
        String text = """
                chronicle Low { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [0, 1s]
                  when recognized { emit Pair[key=?x, since=t1, source="lb-1"] } }
                chronicle High { event(Pair[key=?k], t1) event(Pair[key=?k], t2) t2 - t1 in [1ms, 10s] }
                """;
        List<Recognition> r = run(text, msg("a1", "A", 0, Map.of("k", "u")), msg("b1", "B", 10, Map.of("k", "u")),
                msg("a2", "A", 2000, Map.of("k", "u")), msg("b2", "B", 2500, Map.of("k", "u")));
        assertThat(r).extracting(Recognition::chronicle).containsExactly("Low", "Low", "High");
        assertThat(r.getLast().bindings()).containsEntry("k", "u");
        assertThat(r.getLast().times()).containsEntry("t1", 10L).containsEntry("t2", 2500L);
    }

    @Test
    void eventsEmittedWhenTheInputEndsAreStillMatched() throws ChronicleException {
        // With 500 ms of lateness both Low are decided only when the input ends; High needs the
        // Pair each emits: the end of input is a watermark at +infinity, reached only after every
        // emitted event has been processed.
        String text = """
                chronicle Low { event(A[k=?x], t1) event(B[k=?x], t2) hold(link:up, (t1, t2)) t2 - t1 in [0, 15ms]
                  when recognized { emit Pair[key=?x] } }
                chronicle High { event(Pair[key=?k], t1) event(Pair[key=?k], t2) t2 - t1 in [1ms, 10s] }
                """;
        Recognizer r = recognizer(text, 500);
        for (Event e : List.of(state("l", "link", 0, null, null, "up"), msg("a1", "A", 0, Map.of("k", "u")),
                msg("b1", "B", 10, Map.of("k", "u")), msg("a2", "A", 11, Map.of("k", "u")),
                msg("b2", "B", 20, Map.of("k", "u")))) {
            r.accept(e);
        }
        assertThat(found).isEmpty();
        r.close();
        assertThat(found).extracting(Recognition::chronicle).containsExactly("Low", "Low", "High");
        assertThat(found.getLast().times()).containsEntry("t1", 10L).containsEntry("t2", 20L);
    }

    /** A chain of n event statements E0..E(n-1), one ms apart, joined on ?k. */
    private static String chain(int n) {
        StringBuilder b = new StringBuilder("chronicle Chain {\n");
        for (int i = 0; i < n; i++) {
            b.append("  event(E").append(i).append("[k=?k], t").append(i).append(")\n");
            if (i > 0) {
                b.append("  t").append(i).append(" - t").append(i - 1).append(" in [1ms, 1ms]\n");
            }
        }
        return b.append("}\n").toString();
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 32, 33, 64})
    void chroniclesWithUpTo64EventStatementsAreRecognized(int n) throws ChronicleException {
        Recognizer r = recognizer(chain(n), 0);
        for (int i = 0; i < n; i++) {
            r.accept(msg("e" + i, "E" + i, i, Map.of("k", "u")));
            r.accept(msg("other" + i, "E" + i, i, Map.of("k", "v" + i)));
        }
        r.close();
        assertThat(found).singleElement().satisfies(rec -> {
            assertThat(rec.events()).hasSize(n).startsWith("e0").endsWith("e" + (n - 1));
            assertThat(rec.bindings()).containsEntry("k", "u");
        });
        found.clear();
        Recognizer broken = recognizer(chain(n), 0);
        for (int i = 0; i < n; i++) {
            if (i != n - 1) {
                broken.accept(msg("e" + i, "E" + i, i, Map.of("k", "u")));
            }
        }
        broken.close();
        assertThat(found).isEmpty();
    }

    @Test
    void chroniclesWithMoreThan64EventStatementsAreRefusedAtTheSixtyFifth() {
        assertThatThrownBy(() -> ChronicleCompiler.compile("t.chr", chain(65)))
                .isInstanceOfSatisfying(ChronicleException.class, e -> assertThat(e.diagnostics()).singleElement()
                        .satisfies(d -> {
                            assertThat(d.format()).startsWith("t.chr:129:3: chronicle Chain has 65 event statements;"
                                    + " at most 64 are supported");
                        }));
    }

    @Test
    void missingEventsMakeOverlappingRecognitionsUncertain() throws ChronicleException {
        Recognizer r = recognizer("chronicle M { event(A, t1) event(B, t2) noevent(X, (t1, t2)) t2 - t1 in [0, 50ms] }", 0);
        r.accept(msg("a", "A", 0, Map.of()));
        r.missing(3, 4);
        r.accept(msg("b", "B", 5, Map.of()));
        r.accept(msg("a2", "A", 100, Map.of()));
        r.accept(msg("b2", "B", 105, Map.of()));
        r.close();
        assertThat(found).extracting(Recognition::uncertain).containsExactly(true, false);
    }

    @Test
    void eventsNoConsumerCanUseAreDiscardedAtTheSource() throws ChronicleException {
        // B can only follow an A by 1-5 s: with no A waiting, the B consumer asks the producer to discard B.
        Recognizer r = recognizer("chronicle S { event(A, t1) event(B, t2) t2 - t1 in [1s, 5s] }", 0);
        r.accept(msg("z", "Unused", 0, Map.of()));
        r.accept(msg("b0", "B", 10, Map.of()));
        r.accept(msg("a", "A", 1000, Map.of()));
        r.accept(msg("b1", "B", 2500, Map.of()));
        r.accept(msg("z2", "Unused", 9000, Map.of()));
        r.accept(msg("b2", "B", 9500, Map.of()));
        r.close();
        assertThat(r.stats().discardedAtSource()).isEqualTo(4);
        assertThat(found).extracting(Recognition::events).containsExactly(List.of("a", "b1"));
    }

    @Test
    void unboundedChroniclesKeepPartialInstancesForTheHorizon() throws ChronicleException {
        Recognizer r = new Recognizer(ChronicleCompiler.compile("u.chr", "chronicle U { event(A, t1) event(B, t2) t1 < t2 }")
                .chronicles(), new Recognizer.Options(0, 1000), found::add);
        r.accept(msg("a", "A", 0, Map.of()));
        r.accept(msg("b", "B", 900, Map.of()));
        r.accept(msg("b2", "B", 1500, Map.of()));
        r.close();
        assertThat(found).extracting(Recognition::events).containsExactly(List.of("a", "b"));
    }
}
