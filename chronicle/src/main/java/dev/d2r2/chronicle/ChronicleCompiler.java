package dev.d2r2.chronicle;

import dev.d2r2.chronicle.Chronicle.EmitSpec;
import dev.d2r2.chronicle.Chronicle.EventStatement;
import dev.d2r2.chronicle.Chronicle.FreeBound;
import dev.d2r2.chronicle.Chronicle.IntervalStatement;
import dev.d2r2.chronicle.Chronicle.Kind;
import dev.d2r2.chronicle.lang.Ast;
import dev.d2r2.chronicle.lang.Ast.ChronicleDef;
import dev.d2r2.chronicle.lang.Ast.Constraint;
import dev.d2r2.chronicle.lang.Ast.Statement;
import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.chronicle.lang.Diagnostic;
import dev.d2r2.chronicle.lang.Parser;
import dev.d2r2.chronicle.lang.Source;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigText;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks chronicles (spec §2-§5) and compiles them: the minimal simple temporal network of each
 * chronicle is computed once here (Floyd-Warshall), and inconsistent constraints are reported
 * with the constraints that conflict.
 */
public final class ChronicleCompiler {
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    /** Compiled chronicles and the warnings found. */
    public record Result(List<Chronicle> chronicles, List<Diagnostic> warnings) {
    }

    /**
     * Reads and compiles chronicle files; a file that is not UTF-8 text or is over the size limits
     * of configuration files is refused at the line and column of the problem ({@link ConfigText}).
     */
    public static Result compileFiles(List<Path> files) throws ChronicleException, ConfigException {
        List<Source> sources = new ArrayList<>();
        for (Path f : files) {
            sources.add(new Source(f.toString(), ConfigText.read(f)));
        }
        return compile(sources);
    }

    public static Result compile(List<Source> sources) throws ChronicleException {
        ChronicleCompiler c = new ChronicleCompiler();
        List<ChronicleDef> defs = new ArrayList<>();
        for (Source s : sources) {
            try {
                defs.addAll(Parser.parse(s));
            } catch (ChronicleException e) {
                c.diagnostics.addAll(e.diagnostics());
            }
        }
        List<Chronicle> out = c.check(defs);
        if (c.diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR)) {
            throw new ChronicleException(c.diagnostics);
        }
        return new Result(out, List.copyOf(c.diagnostics));
    }

    public static Result compile(String file, String text) throws ChronicleException {
        return compile(List.of(new Source(file, text)));
    }

    private List<Chronicle> check(List<ChronicleDef> defs) {
        Map<String, ChronicleDef> byName = new HashMap<>();
        List<Chronicle> out = new ArrayList<>();
        for (ChronicleDef d : defs) {
            ChronicleDef prev = byName.putIfAbsent(d.name(), d);
            if (prev != null) {
                error(d, d.pos(), "chronicle " + d.name() + " is already defined at " + prev.source().file() + ":"
                        + prev.pos().line());
                continue;
            }
            Chronicle c = compileOne(d);
            if (c != null) {
                out.add(c);
            }
        }
        checkFeeds(defs);
        return out;
    }

    private Chronicle compileOne(ChronicleDef d) {
        int errorsBefore = errorCount();
        Map<String, Integer> pointIndex = new LinkedHashMap<>();
        Map<String, Integer> varIndex = new LinkedHashMap<>();
        java.util.Set<String> boundPoints = new java.util.HashSet<>();
        java.util.Set<String> boundVars = new java.util.HashSet<>();
        for (Statement s : d.statements()) {
            if (s instanceof Ast.EventStmt e) {
                boundPoints.add(e.point());
                boundVars.addAll(varsOf(e.pattern()));
            }
        }
        for (Statement s : d.statements()) {
            switch (s) {
                case Ast.EventStmt e -> {
                    pointIndex.putIfAbsent(e.point(), pointIndex.size());
                    varsOf(e.pattern()).forEach(v -> varIndex.putIfAbsent(v, varIndex.size()));
                }
                case Ast.NoEventStmt n -> interval(d, s, n.pattern(), null, n.start(), n.end(), pointIndex, boundPoints, boundVars);
                case Ast.HoldStmt h -> interval(d, s, h.pattern(), h.value(), h.start(), h.end(), pointIndex, boundPoints, boundVars);
                case Ast.OccursStmt o -> interval(d, s, o.pattern(), null, o.start(), o.end(), pointIndex, boundPoints, boundVars);
                case Constraint c -> {
                    pointIndex.putIfAbsent(c.a(), pointIndex.size());
                    pointIndex.putIfAbsent(c.b(), pointIndex.size());
                    if (!boundPoints.contains(c.a()) && !boundPoints.contains(c.b())) {
                        error(d, c.pos(), "constraint between two free time points " + c.a() + " and " + c.b()
                                + " (a free point may only be constrained against points bound by event statements)");
                    }
                }
            }
        }
        if (boundPoints.isEmpty()) {
            error(d, d.pos(), "chronicle " + d.name() + " has no event statement");
            return null;
        }
        List<Ast.EventStmt> eventStatements = d.statements().stream()
                .filter(Ast.EventStmt.class::isInstance).map(Ast.EventStmt.class::cast).toList();
        if (eventStatements.size() > Chronicle.MAX_EVENT_STATEMENTS) {
            error(d, eventStatements.get(Chronicle.MAX_EVENT_STATEMENTS).pos(), "chronicle " + d.name() + " has "
                    + eventStatements.size() + " event statements; at most " + Chronicle.MAX_EVENT_STATEMENTS
                    + " are supported (split it into chronicles that emit events for one another)");
            return null;
        }
        if (d.emit() != null) {
            for (Ast.EmitAttr a : d.emit().attrs()) {
                if (a.value() instanceof Ast.Var v && !boundVars.contains(v.name())) {
                    error(d, a.pos(), "variable ?" + v.name() + " is not bound by any event statement");
                } else if (a.value() instanceof Ast.Any) {
                    error(d, a.pos(), "an emitted attribute needs a value");
                }
            }
        }
        int n = pointIndex.size();
        String[] points = pointIndex.keySet().toArray(String[]::new);
        boolean[] free = new boolean[n];
        for (int i = 0; i < n; i++) {
            free[i] = !boundPoints.contains(points[i]);
        }
        long[][] dist = new long[n][n];
        for (long[] row : dist) {
            java.util.Arrays.fill(row, Chronicle.INF);
        }
        for (int i = 0; i < n; i++) {
            dist[i][i] = 0;
        }
        List<Constraint> constraints = new ArrayList<>();
        for (Statement s : d.statements()) {
            if (s instanceof Constraint c) {
                constraints.add(c);
                int a = pointIndex.get(c.a());
                int b = pointIndex.get(c.b());
                if (c.hi() != Long.MAX_VALUE) {
                    dist[b][a] = Math.min(dist[b][a], c.hi());
                }
                if (c.lo() != Long.MIN_VALUE) {
                    dist[a][b] = Math.min(dist[a][b], -c.lo());
                }
            }
        }
        FreeBound[][] lower = new FreeBound[n][];
        FreeBound[][] upper = new FreeBound[n][];
        long maxFreeLower = 0;
        for (int f = 0; f < n; f++) {
            if (!free[f]) {
                continue;
            }
            List<FreeBound> lo = new ArrayList<>();
            List<FreeBound> hi = new ArrayList<>();
            for (Constraint c : constraints) {
                int a = pointIndex.get(c.a());
                int b = pointIndex.get(c.b());
                if (a == f && b != f) {
                    if (c.lo() != Long.MIN_VALUE) lo.add(new FreeBound(b, c.lo()));
                    if (c.hi() != Long.MAX_VALUE) hi.add(new FreeBound(b, c.hi()));
                } else if (b == f && a != f) {
                    if (c.hi() != Long.MAX_VALUE) lo.add(new FreeBound(a, -c.hi()));
                    if (c.lo() != Long.MIN_VALUE) hi.add(new FreeBound(a, -c.lo()));
                }
            }
            if (lo.isEmpty()) {
                Ast.Pos at = firstUse(d, points[f]);
                error(d, at, "free time point " + points[f] + " has no lower bound (add a constraint such as '"
                        + points[f] + " > t1' against a bound point)");
            }
            for (FreeBound b : lo) {
                maxFreeLower = Math.max(maxFreeLower, b.value());
            }
            lower[f] = lo.toArray(FreeBound[]::new);
            upper[f] = hi.toArray(FreeBound[]::new);
        }
        if (!floydWarshall(dist)) {
            error(d, constraints.isEmpty() ? d.pos() : constraints.getFirst().pos(),
                    "inconsistent time constraints in chronicle " + d.name() + ": " + conflict(constraints, pointIndex));
        }
        if (errorCount() > errorsBefore) {
            return null;
        }
        boolean bounded = true;
        long span = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (!free[i] && !free[j]) {
                    if (dist[i][j] >= Chronicle.INF) {
                        bounded = false;
                    } else {
                        span = Math.max(span, dist[i][j]);
                    }
                }
            }
        }
        if (!bounded) {
            diagnostics.add(Diagnostic.warning(d.source(), d.pos().line(), d.pos().col(), "chronicle " + d.name()
                    + " is not bounded in time (its event statements are not all linked by finite upper bounds);"
                    + " partial instances are kept up to --horizon"));
        }
        List<EventStatement> events = new ArrayList<>();
        List<IntervalStatement> intervals = new ArrayList<>();
        for (Statement s : d.statements()) {
            switch (s) {
                case Ast.EventStmt e -> events.add(new EventStatement(events.size(), new Matcher(e.pattern(), null, varIndex),
                        pointIndex.get(e.point()), e));
                case Ast.NoEventStmt ne -> intervals.add(new IntervalStatement(Kind.NOEVENT, new Matcher(ne.pattern(), null, varIndex),
                        pointIndex.get(ne.start()), pointIndex.get(ne.end()), 0, 0, -1, null, s));
                case Ast.OccursStmt o -> intervals.add(new IntervalStatement(Kind.OCCURS, new Matcher(o.pattern(), null, varIndex),
                        pointIndex.get(o.start()), pointIndex.get(o.end()), o.min(), o.max(), -1, null, s));
                case Ast.HoldStmt h -> intervals.add(new IntervalStatement(Kind.HOLD, new Matcher(h.pattern(), h.value(), varIndex),
                        pointIndex.get(h.start()), pointIndex.get(h.end()), 0, 0,
                        h.value() instanceof Ast.Var v ? varIndex.get(v.name()) : -1,
                        h.value() instanceof Ast.Literal l ? l.text() : null, s));
                case Constraint c -> { }
            }
        }
        return new Chronicle(d.name(), d, points, free, dist, varIndex.keySet().toArray(String[]::new),
                events.toArray(EventStatement[]::new), intervals.toArray(IntervalStatement[]::new), lower, upper,
                emitSpec(d, varIndex, pointIndex), bounded, span + maxFreeLower);
    }

    private void interval(ChronicleDef d, Statement s, Ast.Pattern p, Ast.Term holdValue, String start, String end,
                          Map<String, Integer> pointIndex, java.util.Set<String> boundPoints, java.util.Set<String> boundVars) {
        for (String v : varsOf(p)) {
            if (!boundVars.contains(v)) {
                error(d, s.pos(), "variable ?" + v + " is not bound by any event statement");
            }
        }
        if (holdValue instanceof Ast.Var v && !boundVars.contains(v.name())) {
            error(d, s.pos(), "variable ?" + v.name() + " is not bound by any event statement");
        }
        if (holdValue instanceof Ast.Any) {
            error(d, s.pos(), "hold needs a state value, not '?'");
        }
        if (!boundPoints.contains(start)) {
            error(d, s.pos(), "interval start " + start + " is not bound by an event statement (free time points may only end intervals)");
        }
        pointIndex.putIfAbsent(start, pointIndex.size());
        pointIndex.putIfAbsent(end, pointIndex.size());
    }

    private EmitSpec emitSpec(ChronicleDef d, Map<String, Integer> varIndex, Map<String, Integer> pointIndex) {
        if (d.emit() == null) {
            return null;
        }
        List<Ast.EmitAttr> attrs = d.emit().attrs();
        int n = attrs.size();
        String[] keys = new String[n];
        String[] literals = new String[n];
        int[] slots = new int[n];
        int[] points = new int[n];
        for (int i = 0; i < n; i++) {
            Ast.EmitAttr a = attrs.get(i);
            keys[i] = a.key();
            slots[i] = -1;
            points[i] = -1;
            switch (a.value()) {
                case Ast.Var v -> slots[i] = varIndex.get(v.name());
                case Ast.Literal l when pointIndex.containsKey(l.text()) -> points[i] = pointIndex.get(l.text());
                case Ast.Literal l -> literals[i] = l.text();
                case Ast.Any any -> { }
            }
        }
        return new EmitSpec(d.emit().type(), keys, literals, slots, points);
    }

    /** Emitted types feed only event statements of other chronicles, without cycles (spec §5). */
    private void checkFeeds(List<ChronicleDef> defs) {
        Map<String, List<ChronicleDef>> emitters = new HashMap<>();
        for (ChronicleDef d : defs) {
            if (d.emit() != null) {
                emitters.computeIfAbsent(d.emit().type(), k -> new ArrayList<>()).add(d);
            }
        }
        Map<ChronicleDef, List<ChronicleDef>> feeds = new HashMap<>();
        for (ChronicleDef d : defs) {
            for (Statement s : d.statements()) {
                Ast.Pattern p = switch (s) {
                    case Ast.EventStmt e -> e.pattern();
                    case Ast.NoEventStmt n -> n.pattern();
                    case Ast.HoldStmt h -> h.pattern();
                    case Ast.OccursStmt o -> o.pattern();
                    case Constraint c -> null;
                };
                if (p == null || !emitters.containsKey(p.type())) {
                    continue;
                }
                if (!(s instanceof Ast.EventStmt)) {
                    error(d, s.pos(), "emitted type " + p.type() + " may only be used in event statements");
                    continue;
                }
                for (ChronicleDef from : emitters.get(p.type())) {
                    feeds.computeIfAbsent(from, k -> new ArrayList<>()).add(d);
                }
            }
        }
        Map<ChronicleDef, Integer> state = new HashMap<>();
        for (ChronicleDef d : defs) {
            List<ChronicleDef> cycle = new ArrayList<>();
            if (cycleFrom(d, feeds, state, cycle)) {
                ChronicleDef at = cycle.getLast();
                error(at, at.emit() != null ? at.emit().pos() : at.pos(), "chronicles feed each other in a cycle: "
                        + String.join(" -> ", cycle.reversed().stream().map(ChronicleDef::name).toList()));
                return;
            }
        }
    }

    private static boolean cycleFrom(ChronicleDef d, Map<ChronicleDef, List<ChronicleDef>> feeds,
                                     Map<ChronicleDef, Integer> state, List<ChronicleDef> path) {
        Integer st = state.get(d);
        if (st != null) {
            if (st == 1) {
                path.add(d);
                return true;
            }
            return false;
        }
        state.put(d, 1);
        for (ChronicleDef next : feeds.getOrDefault(d, List.of())) {
            if (cycleFrom(next, feeds, state, path)) {
                path.add(d);
                return true;
            }
        }
        state.put(d, 2);
        return false;
    }

    /** Shortest paths in place; false if there is a negative cycle (the constraints are inconsistent). */
    static boolean floydWarshall(long[][] d) {
        int n = d.length;
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                if (d[i][k] >= Chronicle.INF) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    if (d[k][j] < Chronicle.INF && d[i][k] + d[k][j] < d[i][j]) {
                        d[i][j] = d[i][k] + d[k][j];
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (d[i][i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** The constraints on a negative cycle (Bellman-Ford from a virtual source), as written. */
    private static String conflict(List<Constraint> constraints, Map<String, Integer> pointIndex) {
        int n = pointIndex.size();
        record Edge(int from, int to, long w, Constraint c) {
        }
        List<Edge> edges = new ArrayList<>();
        for (Constraint c : constraints) {
            int a = pointIndex.get(c.a());
            int b = pointIndex.get(c.b());
            if (c.hi() != Long.MAX_VALUE) edges.add(new Edge(b, a, c.hi(), c));
            if (c.lo() != Long.MIN_VALUE) edges.add(new Edge(a, b, -c.lo(), c));
        }
        long[] dist = new long[n];
        Edge[] pred = new Edge[n];
        int last = -1;
        for (int round = 0; round < n; round++) {
            last = -1;
            for (Edge e : edges) {
                if (dist[e.from()] + e.w() < dist[e.to()]) {
                    dist[e.to()] = dist[e.from()] + e.w();
                    pred[e.to()] = e;
                    last = e.to();
                }
            }
        }
        if (last < 0) {
            return "no solution";
        }
        int v = last;
        for (int i = 0; i < n; i++) {
            v = pred[v].from();
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        int u = v;
        do {
            Edge e = pred[u];
            names.add("'" + e.c().text() + "' (line " + e.c().pos().line() + ")");
            u = e.from();
        } while (u != v);
        return String.join(" conflicts with ", names.reversed());
    }

    private static Ast.Pos firstUse(ChronicleDef d, String point) {
        for (Statement s : d.statements()) {
            boolean uses = switch (s) {
                case Ast.NoEventStmt n -> n.end().equals(point);
                case Ast.HoldStmt h -> h.end().equals(point);
                case Ast.OccursStmt o -> o.end().equals(point);
                case Constraint c -> c.a().equals(point) || c.b().equals(point);
                case Ast.EventStmt e -> false;
            };
            if (uses) {
                return s.pos();
            }
        }
        return d.pos();
    }

    static List<String> varsOf(Ast.Pattern p) {
        List<String> out = new ArrayList<>();
        for (Ast.AttrTest t : p.attrs()) {
            if (t.value() instanceof Ast.Var v) out.add(v.name());
        }
        if (p.from() instanceof Ast.Var v) out.add(v.name());
        if (p.to() instanceof Ast.Var v) out.add(v.name());
        return out;
    }

    private void error(ChronicleDef d, Ast.Pos pos, String message) {
        diagnostics.add(Diagnostic.error(d.source(), pos.line(), pos.col(), message));
    }

    private int errorCount() {
        return (int) diagnostics.stream().filter(x -> x.severity() == Diagnostic.Severity.ERROR).count();
    }
}
