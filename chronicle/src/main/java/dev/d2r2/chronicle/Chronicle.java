package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.Ast;

/**
 * A checked chronicle, ready for the recognizer: its time points with the minimal simple
 * temporal network between them, its event statements (one consumer each), its interval
 * statements and what it emits.
 */
public final class Chronicle {
    static final long INF = Long.MAX_VALUE / 4;
    /** The recognizer keeps which event statements an instance has bound as the bits of a {@code long}. */
    public static final int MAX_EVENT_STATEMENTS = Long.SIZE;

    final String name;
    final Ast.ChronicleDef def;
    final String[] points;
    final boolean[] free;
    /** {@code dist[i][j]}: the largest allowed {@code t_j - t_i} ({@link #INF} when unbounded). */
    final long[][] dist;
    final String[] vars;
    final EventStatement[] events;
    final IntervalStatement[] intervals;
    /** Per free point: the direct constraints against bound points. */
    final FreeBound[][] freeLower;
    final FreeBound[][] freeUpper;
    final EmitSpec emit;
    /** Whether every pair of bound points is linked by finite bounds. */
    final boolean bounded;
    /** The largest distance between two points of one recognition (bounded chronicles). */
    final long span;

    Chronicle(String name, Ast.ChronicleDef def, String[] points, boolean[] free, long[][] dist, String[] vars,
              EventStatement[] events, IntervalStatement[] intervals, FreeBound[][] freeLower, FreeBound[][] freeUpper,
              EmitSpec emit, boolean bounded, long span) {
        this.name = name;
        this.def = def;
        this.points = points;
        this.free = free;
        this.dist = dist;
        this.vars = vars;
        this.events = events;
        this.intervals = intervals;
        this.freeLower = freeLower;
        this.freeUpper = freeUpper;
        this.emit = emit;
        this.bounded = bounded;
        this.span = span;
    }

    public String name() {
        return name;
    }

    public boolean bounded() {
        return bounded;
    }

    record EventStatement(int index, Matcher matcher, int point, Ast.EventStmt ast) {
    }

    enum Kind { NOEVENT, HOLD, OCCURS }

    record IntervalStatement(Kind kind, Matcher matcher, int start, int end, long min, long max, int holdSlot,
                             String holdLiteral, Ast.Statement ast) {
    }

    /** {@code t_free - t_point >= value} (lower) or {@code <= value} (upper). */
    record FreeBound(int point, long value) {
    }

    /** Per attribute: a literal, a variable slot or a time point. */
    record EmitSpec(String type, String[] keys, String[] literals, int[] slots, int[] points) {
    }
}
