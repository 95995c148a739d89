package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.chronicle.lang.Diagnostic;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChronicleCompilerTest {
    private static List<Diagnostic> errors(String text) {
        try {
            ChronicleCompiler.compile("t.chr", text);
        } catch (ChronicleException e) {
            return e.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).toList();
        }
        throw new AssertionError("expected errors in:\n" + text);
    }

    @Test
    void syntaxErrorsGiveFileLineColumnTheLineAndACaret() {
        List<Diagnostic> e = errors("chronicle C {\n  event(A, t1)\n  event(B t2)\n}\n");
        assertThat(e).hasSize(1);
        assertThat(e.getFirst().format()).isEqualTo("t.chr:3:11: expected ',', found 't2'\n    event(B t2)\n            ^");
    }

    @Test
    void keywordsAreCaseInsensitiveAndUnitsAllWork() throws ChronicleException {
        Chronicle c = ChronicleCompiler.compile("t.chr", """
                CHRONICLE K { EVENT(A, t1) Event(B, t2) t2 - t1 in [-2', 1H] t2 - t1 in [-inf, 3600000ms] }
                """).chronicles().getFirst();
        int t1 = 0;
        int t2 = 1;
        assertThat(c.dist[t1][t2]).isEqualTo(3_600_000);
        assertThat(c.dist[t2][t1]).isEqualTo(120_000);
    }

    @Test
    void inconsistentConstraintsNameEachConflictingConstraint() {
        List<Diagnostic> e = errors("""
                chronicle I {
                  event(A, t1)
                  event(B, t2)
                  event(C, t3)
                  t2 - t1 in [5s, 10s]
                  t3 - t2 in [0, 1s]
                  t3 < t1
                }
                """);
        assertThat(e).singleElement().satisfies(d -> assertThat(d.message())
                .contains("'t2 - t1 in [5s, 10s]'", "'t3 - t2 in [0, 1s]'", "'t3 < t1'"));
    }

    @Test
    void unboundedChroniclesAreAcceptedWithAWarning() throws ChronicleException {
        var r = ChronicleCompiler.compile("t.chr", "chronicle U { event(A, t1) event(B, t2) t1 < t2 }");
        assertThat(r.warnings()).singleElement().satisfies(w -> assertThat(w.message()).contains("not bounded in time"));
        assertThat(r.chronicles().getFirst().bounded()).isFalse();
    }

    @Test
    void variablesOutsideEventStatementsMustBeBound() {
        assertThat(errors("chronicle V { event(A, t1) event(B, t2) noevent(C[k=?z], (t1, t2)) t2 > t1 }"))
                .singleElement().satisfies(d -> {
                    assertThat(d.message()).contains("?z");
                    assertThat(d.line()).isEqualTo(1);
                    assertThat(d.col()).isEqualTo(41);
                });
    }

    @Test
    void freePointsOnlyEndIntervalsAndNeedALowerBound() {
        assertThat(errors("chronicle F { event(A, t1) hold(L:up, (t1, t9)) }")).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("t9 has no lower bound"));
        assertThat(errors("chronicle F { event(A, t1) hold(L:up, (t9, t1)) t9 > t1 }")).first()
                .satisfies(d -> assertThat(d.message()).contains("interval start t9"));
    }

    @Test
    void feedCyclesAndEmittedTypesOutsideEventStatementsAreRejected() {
        assertThat(errors("""
                chronicle P { event(Q, t1) when recognized { emit R } }
                chronicle S { event(R, t1) when recognized { emit Q } }
                """)).singleElement().satisfies(d -> assertThat(d.message()).contains("cycle"));
        assertThat(errors("""
                chronicle P { event(A, t1) when recognized { emit R } }
                chronicle S { event(B, t1) event(C, t2) noevent(R, (t1, t2)) t2 > t1 }
                """)).singleElement().satisfies(d -> assertThat(d.message()).contains("only be used in event statements"));
    }

    @Test
    void duplicateNamesAcrossFilesAreRejected() {
        assertThatThrownBy(() -> ChronicleCompiler.compile(List.of(
                new dev.d2r2.chronicle.lang.Source("a.chr", "chronicle X { event(A, t1) }"),
                new dev.d2r2.chronicle.lang.Source("b.chr", "chronicle X { event(B, t1) }"))))
                .isInstanceOf(ChronicleException.class).hasMessageContaining("b.chr:1:1: chronicle X is already defined at a.chr:1");
    }

    /** Random token soup never escapes as anything but a located diagnostic. */
    @Property(tries = 2000)
    void anyInputGivesChroniclesOrLocatedErrors(@ForAll long seed) {
        String[] parts = {"chronicle", "C", "{", "}", "event", "noevent", "hold", "occurs", "(", ")", "[", "]", ",", ":",
                "?", "?x", "A", "t1", "t2", "-", "in", "5s", "inf", "<", "=", "!=", "when", "recognized", "emit", "\"s",
                "/*", "*/", "//", "\n", "2'", "0", "é", "\t"};
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder(rnd.nextBoolean() ? "chronicle C { event(A, t1) " : "");
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            b.append(parts[rnd.nextInt(parts.length)]).append(rnd.nextInt(3) == 0 ? "" : " ");
        }
        String text = b.toString();
        try {
            ChronicleCompiler.compile("f.chr", text);
        } catch (ChronicleException e) {
            assertThat(e.diagnostics()).isNotEmpty().allSatisfy(d -> {
                assertThat(d.line()).isBetween(1, (int) text.lines().count() + 1);
                assertThat(d.col()).isPositive();
                assertThat(d.format()).startsWith("f.chr:" + d.line() + ":" + d.col() + ": ");
            });
        }
    }
}
