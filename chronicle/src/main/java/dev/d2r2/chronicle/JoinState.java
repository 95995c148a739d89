package dev.d2r2.chronicle;

import dev.d2r2.chronicle.Chronicle.EventStatement;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instances that have bound the same statements, indexed per statement they can still be
 * extended by. A statement {@code s} is left out when another unbound statement must come
 * before it by more than the lateness: once an event for {@code s} arrives, that one would be
 * late, so the extended instance could never complete (TESS's Discard, per join state).
 */
final class JoinState {
    final long mask;
    final boolean complete;
    /** The statements an instance of this state waits for and can be extended by now. */
    final int[] extendable;
    final int[][] joinVars;
    final HashMap<Object, ArrayList<Recognizer.Instance>>[] index;
    /** Per statement: the state after binding it, made on first use. */
    final JoinState[] next;
    /**
     * Per extendable statement: the bound points with a finite bound against it, and the
     * largest allowed {@code t_s - t_p} and {@code t_p - t_s} for each.
     */
    final int[][] fitPoints;
    final long[][] fitAfter;
    final long[][] fitBefore;
    /** Instances in insertion order, as long as their deadlines do not decrease (the usual case: deadlines follow event times). */
    final ArrayDeque<Recognizer.Instance> deadlines = new ArrayDeque<>();

    @SuppressWarnings("unchecked")
    JoinState(Chronicle c, long mask, long full, Set<String> emittedTypes, long lateness) {
        this.mask = mask;
        this.complete = mask == full;
        int n = c.events.length;
        joinVars = new int[n][];
        index = new HashMap[n];
        next = new JoinState[n];
        fitPoints = new int[n][];
        fitAfter = new long[n][];
        fitBefore = new long[n][];
        boolean[] bound = new boolean[c.vars.length];
        for (EventStatement s : c.events) {
            if ((mask & (1L << s.index())) != 0) {
                for (int v : s.matcher().vars) {
                    bound[v] = true;
                }
            }
        }
        List<Integer> ext = new ArrayList<>();
        for (EventStatement s : c.events) {
            if ((mask & (1L << s.index())) == 0 && canExtend(c, mask, s, emittedTypes, lateness)) {
                ext.add(s.index());
                joinVars[s.index()] = Arrays.stream(s.matcher().vars).filter(v -> bound[v]).toArray();
                index[s.index()] = new HashMap<>();
                fits(c, mask, s);
            }
        }
        extendable = ext.stream().mapToInt(Integer::intValue).toArray();
    }

    private void fits(Chronicle c, long mask, EventStatement s) {
        long[][] d = c.dist;
        TreeSet<Integer> points = new TreeSet<>();
        for (EventStatement b : c.events) {
            int p = b.point();
            if ((mask & (1L << b.index())) != 0 && (d[p][s.point()] < Chronicle.INF || d[s.point()][p] < Chronicle.INF)) {
                points.add(p);
            }
        }
        int[] ps = points.stream().mapToInt(Integer::intValue).toArray();
        long[] after = new long[ps.length];
        long[] before = new long[ps.length];
        for (int k = 0; k < ps.length; k++) {
            after[k] = d[ps[k]][s.point()];
            before[k] = d[s.point()][ps[k]];
        }
        fitPoints[s.index()] = ps;
        fitAfter[s.index()] = after;
        fitBefore[s.index()] = before;
    }

    /**
     * Whether an instance that has bound {@code mask} may usefully bind {@code s} next: no other
     * unbound statement must come before {@code s} by more than the lateness (unless its type is
     * emitted: emitted events are never late).
     */
    static boolean canExtend(Chronicle c, long mask, EventStatement s, Set<String> emittedTypes, long lateness) {
        for (EventStatement j : c.events) {
            if (j != s && (mask & (1L << j.index())) == 0 && !emittedTypes.contains(j.matcher().type)
                    && c.dist[s.point()][j.point()] < -lateness) {
                return false;
            }
        }
        return true;
    }

    /** Whether an event for {@code statement} at {@code t} meets the instance's bounds (an unbounded side is {@link Chronicle#INF}, never exceeded). */
    boolean timesFit(int statement, long[] times, long t) {
        int[] ps = fitPoints[statement];
        long[] after = fitAfter[statement];
        long[] before = fitBefore[statement];
        for (int k = 0; k < ps.length; k++) {
            long tp = times[ps[k]];
            if (t - tp > after[k] || tp - t > before[k]) {
                return false;
            }
        }
        return true;
    }
}
