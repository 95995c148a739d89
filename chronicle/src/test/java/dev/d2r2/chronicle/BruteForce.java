package dev.d2r2.chronicle;

import dev.d2r2.chronicle.lang.Ast;
import dev.d2r2.core.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reference for the recognizer: the spec's definition taken literally. Every assignment of
 * distinct events to the event statements is tried against every statement, knowing the whole
 * stream at once. Written from the spec and the AST only, sharing no code with the engine.
 */
final class BruteForce {
    private BruteForce() {
    }

    /** Recognitions as "Chronicle events=[..] times={..} bindings={..}" strings. */
    static Set<String> recognize(Ast.ChronicleDef c, List<Event> events) {
        List<Ast.EventStmt> es = new ArrayList<>();
        for (Ast.Statement s : c.statements()) {
            if (s instanceof Ast.EventStmt e) {
                es.add(e);
            }
        }
        Set<String> out = new TreeSet<>();
        assign(c, es, events, 0, new Event[es.size()], out);
        return out;
    }

    private static void assign(Ast.ChronicleDef c, List<Ast.EventStmt> es, List<Event> events, int i, Event[] chosen,
                               Set<String> out) {
        if (i == es.size()) {
            String r = check(c, es, events, chosen);
            if (r != null) {
                out.add(r);
            }
            return;
        }
        for (Event e : events) {
            boolean used = false;
            for (int j = 0; j < i; j++) {
                used |= chosen[j] == e;
            }
            if (!used) {
                chosen[i] = e;
                assign(c, es, events, i + 1, chosen, out);
            }
        }
        chosen[i] = null;
    }

    private static String check(Ast.ChronicleDef c, List<Ast.EventStmt> es, List<Event> events, Event[] chosen) {
        Map<String, String> vars = new LinkedHashMap<>();
        Map<String, Long> times = new HashMap<>();
        for (int i = 0; i < es.size(); i++) {
            if (!match(es.get(i).pattern(), chosen[i], vars, true)) {
                return null;
            }
            Long prev = times.putIfAbsent(es.get(i).point(), chosen[i].time());
            if (prev != null && prev != chosen[i].time()) {
                return null;
            }
        }
        for (Ast.Statement s : c.statements()) {
            if (s instanceof Ast.Constraint k && times.containsKey(k.a()) && times.containsKey(k.b())) {
                long v = times.get(k.a()) - times.get(k.b());
                if (v < k.lo() || v > k.hi()) {
                    return null;
                }
            }
        }
        // Free points: the latest of their lower bounds, within every upper bound.
        Map<String, Long> free = new HashMap<>();
        for (Ast.Statement s : c.statements()) {
            if (s instanceof Ast.Constraint k) {
                for (String p : new String[]{k.a(), k.b()}) {
                    if (!times.containsKey(p)) {
                        String other = p.equals(k.a()) ? k.b() : k.a();
                        long t = times.get(other);
                        long lower = p.equals(k.a())
                                ? (k.lo() == Long.MIN_VALUE ? Long.MIN_VALUE : t + k.lo())
                                : (k.hi() == Long.MAX_VALUE ? Long.MIN_VALUE : t - k.hi());
                        free.merge(p, lower, Math::max);
                    }
                }
            }
        }
        Map<String, Long> all = new HashMap<>(times);
        all.putAll(free);
        for (Ast.Statement s : c.statements()) {
            if (s instanceof Ast.Constraint k) {
                long v = all.get(k.a()) - all.get(k.b());
                if (v < k.lo() || v > k.hi()) {
                    return null;
                }
            }
        }
        for (Ast.Statement s : c.statements()) {
            boolean ok = switch (s) {
                case Ast.NoEventStmt n -> count(n.pattern(), vars, events, chosen, all.get(n.start()), all.get(n.end())) == 0
                        && all.get(n.start()) <= all.get(n.end());
                case Ast.OccursStmt o -> {
                    long n = count(o.pattern(), vars, events, chosen, all.get(o.start()), all.get(o.end()));
                    yield all.get(o.start()) <= all.get(o.end()) && n >= o.min() && n <= o.max();
                }
                case Ast.HoldStmt h -> holds(h, vars, events, all.get(h.start()), all.get(h.end()));
                default -> true;
            };
            if (!ok) {
                return null;
            }
        }
        List<String> ids = new ArrayList<>();
        for (Event e : chosen) {
            ids.add(e.id());
        }
        return describe(c.name(), ids, new TreeSet<>(all.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).toList()),
                vars);
    }

    static String describe(String chronicle, List<String> ids, Set<String> times, Map<String, String> vars) {
        return chronicle + " events=" + ids + " times=" + times + " bindings=" + new java.util.TreeMap<>(vars);
    }

    private static long count(Ast.Pattern p, Map<String, String> vars, List<Event> events, Event[] chosen, long from, long to) {
        long n = 0;
        for (Event e : events) {
            boolean bound = false;
            for (Event b : chosen) {
                bound |= b == e;
            }
            if (!bound && e.time() >= from && e.time() < to && match(p, e, new LinkedHashMap<>(vars), false)) {
                n++;
            }
        }
        return n;
    }

    /** Events are in (time, input) order, so the last match at or before ta is the last one seen. */
    private static boolean holds(Ast.HoldStmt h, Map<String, String> vars, List<Event> events, long ta, long tb) {
        if (ta > tb) {
            return false;
        }
        String value = h.value() instanceof Ast.Var v ? vars.get(v.name()) : ((Ast.Literal) h.value()).text();
        Ast.Pattern p = new Ast.Pattern(h.pattern().type(), h.pattern().attrs(), new Ast.Any(), new Ast.Any(), h.pattern().pos());
        Event last = null;
        for (Event e : events) {
            if (e.time() <= ta && match(p, e, new LinkedHashMap<>(vars), false)) {
                last = e;
            }
        }
        if (last == null || !last.to().equals(value)) {
            return false;
        }
        for (Event e : events) {
            if (e.time() > ta && e.time() <= tb && match(p, e, new LinkedHashMap<>(vars), false) && !e.to().equals(value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean match(Ast.Pattern p, Event e, Map<String, String> vars, boolean bind) {
        if (!p.type().equals(e.type())) {
            return false;
        }
        for (Ast.AttrTest t : p.attrs()) {
            String v = t.key().equals("source") ? e.source() : e.attrs().containsKey(t.key()) ? text(e.attrs().get(t.key())) : null;
            if (v == null) {
                return false;
            }
            if (t.negated()) {
                if (v.equals(((Ast.Literal) t.value()).text())) {
                    return false;
                }
            } else if (!term(t.value(), v, vars, bind)) {
                return false;
            }
        }
        if (p.hasStatePart()) {
            if (e.to() == null) {
                return false;
            }
            if (!(p.from() instanceof Ast.Any) && (e.from() == null || !term(p.from(), e.from(), vars, bind))) {
                return false;
            }
            return term(p.to(), e.to(), vars, bind);
        }
        return true;
    }

    private static boolean term(Ast.Term t, String v, Map<String, String> vars, boolean bind) {
        return switch (t) {
            case Ast.Any a -> true;
            case Ast.Literal l -> l.text().equals(v);
            case Ast.Var x -> {
                String bound = vars.get(x.name());
                if (bound == null) {
                    if (bind) {
                        vars.put(x.name(), v);
                    }
                    yield true;
                }
                yield bound.equals(v);
            }
        };
    }

    private static String text(Object o) {
        return o instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : String.valueOf(o);
    }
}
