package dev.d2r2.chronicle.lang;

import java.util.List;

/** The parsed form of a chronicle file; positions are 1-based line and column. */
public final class Ast {
    private Ast() {
    }

    public record Pos(int line, int col) {
    }

    /** A value in a pattern: a literal (canonical text), a variable {@code ?x}, or {@code ?} (anything). */
    public sealed interface Term {
    }

    public record Literal(String text) implements Term {
    }

    public record Var(String name) implements Term {
    }

    public record Any() implements Term {
    }

    /** {@code key=value} or {@code key!=literal}. */
    public record AttrTest(String key, boolean negated, Term value, Pos pos) {
    }

    /** {@code TYPE[attrs]}, with a state part {@code :(from, to)} when {@code to != null}. */
    public record Pattern(String type, List<AttrTest> attrs, Term from, Term to, Pos pos) {
        public boolean hasStatePart() {
            return to != null;
        }
    }

    public sealed interface Statement {
        Pos pos();
    }

    public record EventStmt(Pattern pattern, String point, Pos pos) implements Statement {
    }

    public record NoEventStmt(Pattern pattern, String start, String end, Pos pos) implements Statement {
    }

    public record HoldStmt(Pattern pattern, Term value, String start, String end, Pos pos) implements Statement {
    }

    /** {@code max == Long.MAX_VALUE} for {@code inf}. */
    public record OccursStmt(long min, long max, Pattern pattern, String start, String end, Pos pos) implements Statement {
    }

    /** {@code lo <= a - b <= hi}, in ms; {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} for -inf/inf. */
    public record Constraint(String a, String b, long lo, long hi, String text, Pos pos) implements Statement {
    }

    public record EmitAttr(String key, Term value, Pos pos) {
    }

    public record Emit(String type, List<EmitAttr> attrs, Pos pos) {
    }

    public record ChronicleDef(String name, Source source, Pos pos, List<Statement> statements, Emit emit) {
    }
}
