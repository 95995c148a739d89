package dev.d2r2.chronicle;

import dev.d2r2.chronicle.Chronicle.EventStatement;
import dev.d2r2.chronicle.Chronicle.IntervalStatement;
import dev.d2r2.core.Event;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The chronicle recognizer (CRS) over one event stream. Incremental and event-driven: partial
 * instances wait in hash indexes keyed by the variables they share with the statement they
 * wait for; an event extends the instances of its key whose time constraints it meets, and
 * starts new ones. Instances die as soon as a statement they wait for can no longer be met (a
 * deadline queues against the watermark). Complete instances with noevent/hold/occurs
 * statements are decided once the watermark has passed their intervals.
 *
 * <p>The watermark is the largest event time seen minus the lateness: an event earlier than
 * it is late, dropped and counted. Not thread-safe: one stream, one thread (TESS merger in front).
 */
public final class Recognizer {
    /**
     * {@code lateness}: how far behind the largest time an event may arrive, ms; {@code horizon}:
     * the life of a partial instance of an unbounded chronicle, ms. The defaults are declared
     * here only (docs/chronicles.md, "Defaults", says which applies where and why).
     */
    public record Options(long lateness, long horizon) {
        /** A stream read from a file or stdin ({@code chronicle run}) is taken in the order written: nothing is late. */
        public static final Duration STREAM_LATENESS = Duration.ZERO;
        /** Live broker channels ({@code chronicle watch}, {@code chronicles:} in {@code d2r2 run}) merge sources whose events the network and the broker delay. */
        public static final Duration LIVE_LATENESS = Duration.ofMillis(500);
        public static final Duration HORIZON = Duration.ofHours(1);
        public static final Options DEFAULT = of(STREAM_LATENESS, HORIZON);
        public static final Options LIVE = of(LIVE_LATENESS, HORIZON);

        public static Options of(Duration lateness, Duration horizon) {
            return new Options(lateness.toMillis(), horizon.toMillis());
        }
    }

    /** Counters for {@code --stats}. */
    public record Stats(long events, long late, long discardedAtSource, long recognitions, long emitted,
                        long liveInstances, long peakInstances, long pending, long missingNotices) {
    }

    private static final long UNSET = Long.MIN_VALUE;

    private final List<Run> runs = new ArrayList<>();
    private final Producer producer = new Producer();
    private final Options options;
    private final Consumer<Recognition> out;
    private final ArrayDeque<Event> emitted = new ArrayDeque<>();
    private final PriorityQueue<Pending> pending = new PriorityQueue<>((a, b) -> a.needWatermark != b.needWatermark
            ? Long.compare(a.needWatermark, b.needWatermark) : Long.compare(a.instance.order, b.instance.order));
    private final List<long[]> missing = new ArrayList<>();
    private final List<Instance> created = new ArrayList<>();
    private long maxSeen = Long.MIN_VALUE;
    private long watermark = Long.MIN_VALUE;
    private long order;
    private long eventCount;
    private long late;
    private long recognitions;
    private long emittedCount;
    private long live;
    private long peak;
    private long missingNotices;
    private final long maxSpan;

    public Recognizer(List<Chronicle> chronicles, Options options, Consumer<Recognition> out) {
        this.options = options;
        this.out = out;
        java.util.Set<String> emittedTypes = new java.util.HashSet<>();
        for (Chronicle c : chronicles) {
            if (c.emit != null) {
                emittedTypes.add(c.emit.type());
            }
        }
        long span = 0;
        for (Chronicle c : chronicles) {
            Run r = new Run(c, options, emittedTypes);
            runs.add(r);
            span = Math.max(span, c.bounded ? c.span : options.horizon());
            for (EventStatement s : c.events) {
                producer.register(s.matcher().type).eventConsumers.add(new StatementRef(r, s));
                if (!r.starter[s.index()]) {
                    producer.discard(s.matcher().type);
                }
            }
            for (int i = 0; i < c.intervals.length; i++) {
                producer.register(c.intervals[i].matcher().type).histories.add(r.histories[i]);
            }
        }
        this.maxSpan = span;
    }

    record StatementRef(Run run, EventStatement statement) {
    }

    /**
     * Feeds one input event; false if it was late (dropped and counted) or discarded at the
     * source because no consumer can use it.
     */
    public boolean accept(Event e) {
        eventCount++;
        if (e.time() < watermark) {
            late++;
            return false;
        }
        if (e.time() > maxSeen) {
            maxSeen = e.time();
        }
        long w = maxSeen - options.lateness();
        Producer.Route route = producer.forward(e);
        if (route == null) {
            advance(w);
            return false;
        }
        process(e, route);
        advance(w);
        return true;
    }

    /** Whether some statement reads events of this type (a producer may drop the others: TESS {@code Rule-On}). */
    public boolean reads(String type) {
        return producer.route(type) != null;
    }

    /** Whether partial instances wait for events of this type (TESS {@code Focus}: forward them first). */
    public boolean focuses(String type) {
        Producer.Route r = producer.route(type);
        return r != null && r.focus > 0;
    }

    /** TESS {@code No-More-Event}: no event earlier than {@code time} will come. */
    public void noMoreEvents(long time) {
        advance(time);
    }

    /** TESS {@code Missing-Event}: events in [from, to] were lost; overlapping recognitions are uncertain. */
    public void missing(long from, long to) {
        missingNotices++;
        missing.add(new long[]{from, to});
    }

    /** End of input: every interval is closed and every pending recognition decided. */
    public void close() {
        advance(Long.MAX_VALUE);
    }

    /** {@code e} with the id an event without one gets: {@code #n}, n its position in its stream. */
    public static Event withPositionId(Event e, long position) {
        String id = "#" + position;
        return new Event(id, e.type(), e.time(), e.source(), e.from(), e.to(), e.attrs());
    }

    /** Events dropped as late so far. */
    public long late() {
        return late;
    }

    /** The time before which an event is late (ms; {@code Long.MIN_VALUE} before the first event). */
    public long watermark() {
        return watermark;
    }

    public Stats stats() {
        return new Stats(eventCount, late, producer.discarded(), recognitions, emittedCount, live, peak, pending.size(),
                missingNotices);
    }

    private void process(Event e, Producer.Route route) {
        long seq = ++order;
        if (e.id() == null) {
            e = withPositionId(e, seq);
        }
        List<History> hs = route.histories;
        for (int i = 0, n = hs.size(); i < n; i++) {
            hs.get(i).offer(e);
        }
        List<StatementRef> refs = route.eventConsumers;
        for (int i = 0, n = refs.size(); i < n; i++) {
            StatementRef ref = refs.get(i);
            ref.run.match(e, ref.statement, created);
        }
        for (Instance inst : created) {
            inst.run.insert(inst);
        }
        created.clear();
    }

    /**
     * Moves the watermark to {@code target} one pending decision at a time: the events a decision
     * emits are earlier than the watermark that decided it, so they are processed before it moves
     * on, and the instances they start or extend are judged against that watermark, not the
     * target. The end of input ({@link #close()}) is thus a watermark at +infinity reached only
     * after every emitted event has been processed.
     */
    private void advance(long target) {
        while (true) {
            Pending p = pending.peek();
            if (p != null && p.needWatermark <= watermark) {
                pending.poll();
                if (p.run.decide(p.instance)) {
                    report(p.run, p.instance);
                }
            } else if (!emitted.isEmpty()) {
                Event e = emitted.poll();
                Producer.Route route = producer.route(e.type());
                if (route != null) {
                    process(e, route);
                }
            } else if (p != null && p.needWatermark <= target) {
                watermark = p.needWatermark;
            } else {
                break;
            }
        }
        if (target > watermark) {
            watermark = target;
        }
        for (Run r : runs) {
            r.prune(watermark);
        }
        if (!missing.isEmpty()) {
            long cutoff = saturatedMinus(watermark, maxSpan);
            missing.removeIf(m -> m[1] < cutoff);
        }
    }

    private static long saturatedMinus(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }

    private void report(Run run, Instance inst) {
        Chronicle c = run.chronicle;
        long at = Long.MIN_VALUE;
        long first = Long.MAX_VALUE;
        Map<String, Long> times = new LinkedHashMap<>();
        for (int i = 0; i < c.points.length; i++) {
            times.put(c.points[i], inst.times[i]);
            at = Math.max(at, inst.times[i]);
            first = Math.min(first, inst.times[i]);
        }
        List<String> ids = new ArrayList<>(inst.events.length);
        for (Event e : inst.events) {
            ids.add(e.id());
        }
        Map<String, String> bindings = new LinkedHashMap<>();
        for (int i = 0; i < c.vars.length; i++) {
            bindings.put(c.vars[i], inst.vals[i]);
        }
        boolean uncertain = false;
        for (long[] m : missing) {
            if (m[0] <= at && m[1] >= first) {
                uncertain = true;
                break;
            }
        }
        recognitions++;
        Event emission = null;
        if (c.emit != null) {
            emittedCount++;
            emission = emission(c, inst, at);
            emitted.add(emission);
        }
        out.accept(new Recognition(c.name, at, times, ids, bindings, uncertain, c, List.of(inst.events), emission));
    }

    private Event emission(Chronicle c, Instance inst, long at) {
        Chronicle.EmitSpec spec = c.emit;
        Map<String, Object> attrs = new LinkedHashMap<>();
        String source = null;
        for (int i = 0; i < spec.keys().length; i++) {
            Object v = spec.slots()[i] >= 0 ? inst.vals[spec.slots()[i]]
                    : spec.points()[i] >= 0 ? (Object) inst.times[spec.points()[i]] : spec.literals()[i];
            if (spec.keys()[i].equals("source")) {
                source = String.valueOf(v);
            } else {
                attrs.put(spec.keys()[i], v);
            }
        }
        return new Event(c.name + "#" + emittedCount, spec.type(), at, source, null, null, attrs);
    }

    /** A partial or complete assignment of events to a chronicle's event statements. */
    static final class Instance {
        final Run run;
        final JoinState state;
        final long[] times;
        final String[] vals;
        final Event[] events;
        final long order;
        /** The earliest bound time. */
        final long start;
        long deadline;

        Instance(Run run, JoinState state, long[] times, String[] vals, Event[] events, long order, long start) {
            this.run = run;
            this.state = state;
            this.start = start;
            this.times = times;
            this.vals = vals;
            this.events = events;
            this.order = order;
        }
    }

    private record Pending(Run run, Instance instance, long needWatermark) {
    }

    /** One chronicle's run-time state: its join states, deadline queues and histories. */
    private final class Run {
        final Chronicle chronicle;
        final boolean[] starter;
        final long full;
        /** Types that chronicles emit: their events are never late, so they never rule a statement out. */
        final java.util.Set<String> emittedTypes;
        final long lateness;
        final Map<Long, JoinState> states = new HashMap<>();
        final List<JoinState> stateList = new ArrayList<>();
        /** Per event statement: the join states that can be extended by it. */
        final List<List<JoinState>> waitingStates = new ArrayList<>();
        final int[] waiting;
        /** Per statement: the state of an instance it starts, made on first use. */
        final JoinState[] startStates;
        /** Instances whose deadline came before that of the instance inserted before them in their state. */
        final DeadlineHeap<Instance> outOfOrder = new DeadlineHeap<>();
        /** The earliest deadline of any live instance, so that a prune with nothing to do reads no instance. */
        long earliestDeadline = Long.MAX_VALUE;
        final History[] histories;
        final long horizon;
        private final String[] scratch;

        Run(Chronicle c, Options options, java.util.Set<String> emittedTypes) {
            this.chronicle = c;
            int n = c.events.length;
            this.full = n == Long.SIZE ? -1L : (1L << n) - 1;
            this.emittedTypes = emittedTypes;
            this.lateness = options.lateness();
            this.starter = new boolean[n];
            this.waiting = new int[n];
            this.startStates = new JoinState[n];
            this.horizon = options.horizon();
            this.scratch = new String[c.vars.length];
            for (EventStatement s : c.events) {
                waitingStates.add(new ArrayList<>());
                starter[s.index()] = JoinState.canExtend(c, 0, s, emittedTypes, lateness);
            }
            histories = new History[c.intervals.length];
            for (int i = 0; i < histories.length; i++) {
                histories[i] = new History(c.intervals[i], c.vars.length);
            }
        }

        JoinState state(long mask) {
            JoinState st = states.get(mask);
            if (st == null) {
                st = new JoinState(chronicle, mask, full, emittedTypes, lateness);
                states.put(mask, st);
                stateList.add(st);
                for (int i : st.extendable) {
                    waitingStates.get(i).add(st);
                }
            }
            return st;
        }

        JoinState after(JoinState st, int statement) {
            JoinState n = st.next[statement];
            if (n == null) {
                n = state(st.mask | 1L << statement);
                st.next[statement] = n;
            }
            return n;
        }

        JoinState startState(int statement) {
            JoinState n = startStates[statement];
            if (n == null) {
                n = state(1L << statement);
                startStates[statement] = n;
            }
            return n;
        }

        void match(Event e, EventStatement s, List<Instance> into) {
            String[] vals = scratch;
            Arrays.fill(vals, null);
            if (!s.matcher().matches(e, vals, true)) {
                return;
            }
            int si = s.index();
            List<JoinState> candidates = waitingStates.get(si);
            for (int c = 0, nc = candidates.size(); c < nc; c++) {
                JoinState st = candidates.get(c);
                ArrayList<Instance> bucket = st.index[si].get(JoinKey.of(st.joinVars[si], vals));
                if (bucket == null) {
                    continue;
                }
                for (int i = 0, n = bucket.size(); i < n; i++) {
                    Instance inst = bucket.get(i);
                    if (st.timesFit(si, inst.times, e.time()) && (chronicle.bounded || e.time() - inst.start <= horizon)) {
                        into.add(extend(inst, s, e, vals));
                    }
                }
            }
            if (starter[si]) {
                long[] times = new long[chronicle.points.length];
                Arrays.fill(times, UNSET);
                times[s.point()] = e.time();
                Event[] events = new Event[chronicle.events.length];
                events[si] = e;
                into.add(new Instance(this, startState(si), times, vals.clone(), events, ++order, e.time()));
            }
        }

        private Instance extend(Instance inst, EventStatement s, Event e, String[] matched) {
            long[] times = inst.times.clone();
            times[s.point()] = e.time();
            String[] vals = inst.vals.clone();
            for (int v : s.matcher().vars) {
                vals[v] = matched[v];
            }
            Event[] events = inst.events.clone();
            events[s.index()] = e;
            return new Instance(this, after(inst.state, s.index()), times, vals, events, ++order,
                    Math.min(inst.start, e.time()));
        }

        void insert(Instance inst) {
            JoinState st = inst.state;
            if (st.complete) {
                complete(inst);
                return;
            }
            inst.deadline = deadline(inst);
            if (inst.deadline < watermark || st.extendable.length == 0) {
                return;
            }
            for (int i : st.extendable) {
                st.index[i].computeIfAbsent(JoinKey.of(st.joinVars[i], inst.vals), k -> new ArrayList<>(2)).add(inst);
                if (waiting[i]++ == 0) {
                    String type = chronicle.events[i].matcher().type;
                    producer.focus(type);
                    if (!starter[i]) {
                        producer.removeDiscard(type);
                    }
                }
            }
            Instance last = st.deadlines.peekLast();
            if (last == null || last.deadline <= inst.deadline) {
                st.deadlines.addLast(inst);
            } else {
                outOfOrder.add(inst.deadline, inst);
            }
            earliestDeadline = Math.min(earliestDeadline, inst.deadline);
            if (++live > peak) {
                peak = live;
            }
        }

        /** The time after which some statement the instance waits for can no longer be met. */
        private long deadline(Instance inst) {
            long[][] d = chronicle.dist;
            long mask = inst.state.mask;
            long dl = Long.MAX_VALUE;
            for (EventStatement s : chronicle.events) {
                if ((mask & (1L << s.index())) != 0) {
                    continue;
                }
                for (EventStatement b : chronicle.events) {
                    if ((mask & (1L << b.index())) != 0 && d[b.point()][s.point()] < Chronicle.INF) {
                        dl = Math.min(dl, inst.times[b.point()] + d[b.point()][s.point()]);
                    }
                }
            }
            if (!chronicle.bounded) {
                dl = Math.min(dl, inst.start + horizon);
            }
            return dl;
        }

        private void remove(Instance inst) {
            JoinState st = inst.state;
            for (int i : st.extendable) {
                Object key = JoinKey.of(st.joinVars[i], inst.vals);
                ArrayList<Instance> bucket = st.index[i].get(key);
                int last = bucket.size() - 1;
                if (last == 0) {
                    st.index[i].remove(key);
                } else {
                    bucket.set(bucket.indexOf(inst), bucket.get(last));
                    bucket.remove(last);
                }
                if (--waiting[i] == 0) {
                    String type = chronicle.events[i].matcher().type;
                    producer.removeFocus(type);
                    if (!starter[i]) {
                        producer.discard(type);
                    }
                }
            }
            live--;
        }

        void prune(long w) {
            if (w > earliestDeadline) {
                long earliest = Long.MAX_VALUE;
                for (int s = 0, n = stateList.size(); s < n; s++) {
                    ArrayDeque<Instance> q = stateList.get(s).deadlines;
                    Instance inst;
                    while ((inst = q.peekFirst()) != null && inst.deadline < w) {
                        q.pollFirst();
                        remove(inst);
                    }
                    if (inst != null) {
                        earliest = Math.min(earliest, inst.deadline);
                    }
                }
                while (outOfOrder.peekKey() < w) {
                    remove(outOfOrder.poll());
                }
                earliestDeadline = Math.min(earliest, outOfOrder.peekKey());
            }
            long keep = w == Long.MAX_VALUE ? w : saturatedMinus(w, (chronicle.bounded ? chronicle.span : horizon) + 1);
            for (History h : histories) {
                h.prune(keep);
            }
        }

        /** All event statements are bound: place the free points, then decide now or once the intervals close. */
        private void complete(Instance inst) {
            Chronicle c = chronicle;
            long[] times = inst.times;
            for (int f = 0; f < c.points.length; f++) {
                if (!c.free[f]) {
                    continue;
                }
                long lb = Long.MIN_VALUE;
                for (Chronicle.FreeBound b : c.freeLower[f]) {
                    lb = Math.max(lb, times[b.point()] + b.value());
                }
                for (Chronicle.FreeBound b : c.freeUpper[f]) {
                    if (lb > times[b.point()] + b.value()) {
                        return;
                    }
                }
                times[f] = lb;
            }
            long need = Long.MIN_VALUE;
            for (IntervalStatement iv : c.intervals) {
                long ta = times[iv.start()];
                long tb = times[iv.end()];
                if (ta > tb) {
                    return;
                }
                need = Math.max(need, iv.kind() == Chronicle.Kind.HOLD ? tb + 1 : tb);
            }
            if (c.intervals.length == 0) {
                report(this, inst);
            } else {
                pending.add(new Pending(this, inst, need));
            }
        }

        boolean decide(Instance inst) {
            Chronicle c = chronicle;
            for (int i = 0; i < c.intervals.length; i++) {
                IntervalStatement iv = c.intervals[i];
                long ta = inst.times[iv.start()];
                long tb = inst.times[iv.end()];
                boolean ok = switch (iv.kind()) {
                    case NOEVENT -> histories[i].count(ta, tb, inst.vals, inst.events, 0) == 0;
                    case OCCURS -> {
                        long n = histories[i].count(ta, tb, inst.vals, inst.events, iv.max());
                        yield n >= iv.min() && n <= iv.max();
                    }
                    case HOLD -> histories[i].holds(ta, tb,
                            iv.holdSlot() >= 0 ? inst.vals[iv.holdSlot()] : iv.holdLiteral(), inst.vals);
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }
}
