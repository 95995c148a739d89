package dev.d2r2.app.web;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.chronicle.events.ChronicleEvents;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.events.DiagnosisEvents;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.migrate.events.MigrateEvents;
import dev.d2r2.monitor.events.AlarmEvent;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.sip.events.EdgeTraffic;
import dev.d2r2.sip.events.SipEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the dashboard shows, gathered from broker channels: the swim lanes of events, alarms,
 * alerts, contexts and actions; the service map (the edge's backends and their states); a heat
 * map of per-server metrics by second; the actions with their cause chains; the audit trail
 * (every {@code policy.*} event); the diagnosis (per group its last √JSD matrix and histograms,
 * the peers indicted now); and the scaler's instances as they appear, serve, drain and stop
 * ({@code scale.instance}); the tunnels, their DNs, paths and scores ({@link TunnelBoard}). Everything is bounded: the oldest entries go first.
 */
public final class Observatory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Observatory.class);
    static final int TIMELINE = 20_000;
    static final int INDEXED = 50_000;
    static final int HEAT_SECONDS = 180;
    /** Windows of distances kept per group, for the cause chains of indictments. */
    static final int DIAGNOSIS_WINDOWS = 600;
    /** Scaled instances remembered, the stopped ones going first. */
    static final int INSTANCES = 200;

    /** One event as shown: its lane, where it came from, and its fields. */
    public record Entry(long seq, String id, String channel, String lane, long time, String type, String source, String from,
                        String to, Map<String, Object> attrs) {
        /** The event shown, to be read with its module's record. */
        public Event event() {
            return new Event(id, type, time, source, from, to, attrs);
        }
    }

    /** A server behind the edge, as the edge last reported it. */
    public record Server(String id, String state, long dialogs, long since) {
    }

    /** An instance the scaler runs (or ran), in its last state: when it entered it, and why when the scaler said so. */
    public record ScaledInstance(String name, String type, String cloud, String address, String state, long since, String why) {
    }

    private final List<Subscription> subscriptions = new ArrayList<>();
    private final Deque<Entry> timeline = new ArrayDeque<>();
    private final Deque<Entry> audit = new ArrayDeque<>();
    private final Map<String, Entry> byId = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Observatory.Entry> eldest) {
            return size() > INDEXED;
        }
    };
    private final Map<String, Server> servers = new TreeMap<>();
    private final Map<String, Entry> actions = new LinkedHashMap<>();
    /** The last decision on each action in {@link #actions}, read. */
    private final Map<String, ActionDecision> decisions = new HashMap<>();
    /** An action's last actuator call, while it did not succeed (failed or refused): its reason leads the cause chain. */
    private final Map<String, Entry> unsuccessful = new HashMap<>();
    private final Map<String, Entry> contexts = new LinkedHashMap<>();
    /** metric → server → second → value */
    private final Map<String, Map<String, TreeMap<Long, Double>>> heat = new TreeMap<>();
    /** group → window end → the window's distances, as an entry (not on the timeline: one a window). */
    private final Map<String, TreeMap<Long, Entry>> distances = new TreeMap<>();
    /** peer → its indictment, while it holds. */
    private final Map<String, Entry> indicted = new TreeMap<>();
    /** name → the instance, in the order they first appeared. */
    private final Map<String, ScaledInstance> instances = new LinkedHashMap<>();
    private final TunnelBoard tunnels = new TunnelBoard();
    private final AtomicLong malformed = new AtomicLong();
    private long seq;
    private Map<String, Object> traffic = Map.of();

    /** Subscribes to {@code channels} from now on. */
    public Observatory(BrokerClient client, List<String> channels) {
        for (String tag : channels) {
            subscriptions.add(client.subscribe(tag, StartPosition.live(), d -> take(d)));
        }
    }

    private void take(Delivery d) {
        try {
            accept(d.channel(), d.namedEvent());
        } catch (EventFormatException e) {
            malformed.incrementAndGet();
            LOG.warn("dashboard: malformed event on {} at offset {}: {}", d.channel(), d.offset(), e.getMessage());
        }
    }

    /** Takes one event of {@code channel}. */
    public synchronized void accept(String channel, Event e) {
        if (SipEvents.EDGE_TRAFFIC.matches(e.type())) {
            traffic(e);
            return;
        }
        if (SipEvents.EDGE_SOURCE.matches(e.type())) {
            return;
        }
        if (AlarmEvent.isReassertion(e)) {
            return;
        }
        if (DiagnosisEvents.DISTANCES.matches(e.type())) {
            distances(channel, e);
            return;
        }
        if (TunnelBoard.isTunnel(e.type()) && !tunnel(channel, e)) {
            return;
        }
        String lane = lane(channel, e);
        if (lane == null) {
            return;
        }
        ActionDecision decision;
        InstanceChange change;
        ActionOutcome outcome = null;
        try {
            decision = PolicyEvents.DECISION.matches(e.type()) ? ActionDecision.from(e) : null;
            change = ScaleEvents.INSTANCE.matches(e.type()) ? InstanceChange.from(e) : null;
            if (PolicyEvents.CONTEXT.matches(e.type())) {
                ContextChange.from(e);
            } else if (PolicyEvents.OUTCOME.matches(e.type())) {
                outcome = ActionOutcome.from(e);
            }
        } catch (EventFormatException ex) {
            malformed.incrementAndGet();
            LOG.warn("dashboard: malformed event on {}: {}", channel, ex.getMessage());
            return;
        }
        Entry entry = new Entry(++seq, e.id() != null ? e.id() : channel + "#" + seq, channel, lane, e.time(), e.type(),
                e.source(), e.from(), e.to(), e.attrs());
        add(timeline, entry, TIMELINE);
        byId.put(entry.id(), entry);
        if (SipEvents.EDGE_BACKEND.matches(e.type())) {
            servers.compute(e.source(), (id, s) -> serverAfter(id, s, e));
        } else if (DiagnosisEvents.INDICTED.matches(e.type())) {
            indicted.put(e.source(), entry);
        } else if (DiagnosisEvents.CLEARED.matches(e.type())) {
            indicted.remove(e.source());
        } else if (change != null) {
            instance(change);
        } else if (outcome != null) {
            if (outcome.result() == ActionOutcome.Result.FAILED || outcome.result() == ActionOutcome.Result.REFUSED) {
                unsuccessful.put(outcome.actionId(), entry);
            } else {
                unsuccessful.remove(outcome.actionId());
            }
            audited(entry, null);
        } else {
            audited(entry, decision);
        }
    }

    /** Keeps a policy event in the audit trail, a context's last change and an action's last decision. */
    private void audited(Entry entry, ActionDecision decision) {
        if (PolicyEvents.CONTEXT.matches(entry.type())) {
            contexts.put(entry.source(), entry);
        } else if (decision != null) {
            String action = decision.action().id();
            actions.remove(action);
            actions.put(action, entry);
            decisions.put(action, decision);
        } else if (!PolicyEvents.OUTCOME.matches(entry.type())) {
            return;
        }
        add(audit, entry, TIMELINE);
    }

    private void instance(InstanceChange c) {
        instances.put(c.instance(), new ScaledInstance(c.instance(), c.type(), c.cloud(), c.address(), c.to(), c.time(), c.why()));
        if (instances.size() > INSTANCES) {
            String gone = instances.values().stream().filter(i -> i.state().equals(Lifecycle.STOPPED)).findFirst()
                    .orElse(instances.values().iterator().next()).name();
            instances.remove(gone);
        }
    }

    /** Takes a tunnel event into the board; false when it is malformed (counted). */
    private boolean tunnel(String channel, Event e) {
        try {
            tunnels.take(e);
            return true;
        } catch (EventFormatException ex) {
            malformed.incrementAndGet();
            LOG.warn("dashboard: malformed event on {}: {}", channel, ex.getMessage());
            return false;
        }
    }

    /** The tunnels, by name: each EN's DN, sessions, failovers, paths and scores, its carriers and return route. */
    public synchronized List<TunnelBoard.Tunnel> tunnels() {
        return tunnels.tunnels();
    }

    /** The scaler's instances, in the order they appeared, each in its last state (stopped ones too, until they are too many). */
    public synchronized List<ScaledInstance> instances() {
        return List.copyOf(instances.values());
    }

    private void distances(String channel, Event e) {
        try {
            DistanceMatrix.from(e);
        } catch (EventFormatException ex) {
            malformed.incrementAndGet();
            LOG.warn("dashboard: malformed event on {}: {}", channel, ex.getMessage());
            return;
        }
        Entry entry = new Entry(++seq, e.id() != null ? e.id() : channel + "#" + seq, channel, "diagnosis", e.time(), e.type(),
                e.source(), null, null, e.attrs());
        TreeMap<Long, Entry> windows = distances.computeIfAbsent(e.source(), g -> new TreeMap<>());
        windows.put(e.time(), entry);
        while (windows.size() > DIAGNOSIS_WINDOWS) {
            windows.pollFirstEntry();
        }
    }

    /**
     * The diagnosis: per group its last window (voters, √JSD matrix, threshold, histograms over the
     * profiles), and the indictments in force, by peer.
     */
    public synchronized Map<String, Object> diagnosis() {
        List<Map<String, Object>> groups = new ArrayList<>();
        distances.forEach((group, windows) -> {
            Entry last = windows.lastEntry().getValue();
            DistanceMatrix m;
            try {
                m = DistanceMatrix.from(last.event());
            } catch (EventFormatException cannotHappen) {
                throw new IllegalStateException(cannotHappen);
            }
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("group", group);
            g.put("time", m.time());
            g.put("peers", m.peers());
            g.put("matrix", m.distances());
            g.put("threshold", m.threshold());
            g.put("histograms", m.histograms());
            groups.add(g);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("groups", groups);
        out.put("indicted", List.copyOf(indicted.values()));
        return out;
    }

    /** A line of the story (a demo's phases), on its own lane. */
    public void note(long time, String text) {
        note(time, "story", text);
    }

    /** A line of the story on {@code lane} (the demo's broker replicas have one of their own). */
    public synchronized void note(long time, String lane, String text) {
        Entry entry = new Entry(++seq, lane + "#" + seq, lane, lane, time, "story", "demo", null, null, Map.of("text", text));
        add(timeline, entry, TIMELINE);
    }

    private static String lane(String channel, Event e) {
        String t = e.type();
        if (PolicyEvents.CONTEXT.matches(t)) {
            return "contexts";
        }
        if (PolicyEvents.DECISION.matches(t) || PolicyEvents.OUTCOME.matches(t)) {
            return "actions";
        }
        if (SipEvents.EDGE_BACKEND.matches(t)) {
            return "services";
        }
        if (DiagnosisEvents.INDICTED.matches(t) || DiagnosisEvents.CLEARED.matches(t) || DiagnosisEvents.CANNOT_VOTE.matches(t)) {
            return "diagnosis";
        }
        if (ScaleEvents.INSTANCE.matches(t) || ScaleEvents.LOAD.matches(t) || ScaleEvents.STEP.matches(t) || ScaleEvents.CLOUD.matches(t)) {
            return "scaling";
        }
        if (TunnelBoard.isTunnel(t)) {
            return e.isState() ? "tunnels" : null;
        }
        if (channel.equals("alerts") || ChronicleAlert.isAlert(e) || MigrateEvents.HOST_AT_RISK.matches(t)) {
            return "alerts";
        }
        if (channel.equals("alarms")) {
            return "alarms";
        }
        return e.isState() ? "events" : null;
    }

    private void traffic(Event e) {
        EdgeTraffic t;
        try {
            t = EdgeTraffic.from(e);
        } catch (EventFormatException ex) {
            malformed.incrementAndGet();
            LOG.warn("dashboard: malformed traffic event: {}", ex.getMessage());
            return;
        }
        traffic = e.attrs();
        long second = e.time() / 1000;
        t.dialogsByBackend().forEach((id, n) -> {
            servers.compute(id, (k, s) -> s == null ? new Server(k, "up", n, e.time()) : new Server(k, s.state(), n, s.since()));
            point("dialogs", id, second, n);
        });
        for (Server s : servers.values()) {
            point("up", s.id(), second, s.state().equals("up") ? 1 : 0);
        }
    }

    private void point(String metric, String server, long second, double value) {
        TreeMap<Long, Double> series = heat.computeIfAbsent(metric, m -> new TreeMap<>()).computeIfAbsent(server, s -> new TreeMap<>());
        series.put(second, value);
        while (series.size() > HEAT_SECONDS) {
            series.pollFirstEntry();
        }
    }

    private static void add(Deque<Entry> q, Entry e, int max) {
        q.addLast(e);
        if (q.size() > max) {
            q.removeFirst();
        }
    }

    /** Timeline entries after {@code since} (a seq), at most {@code limit}, oldest first. */
    public synchronized List<Entry> timeline(long since, int limit) {
        return after(timeline, since, limit);
    }

    /** Audit entries ({@code policy.*}) after {@code since}, at most {@code limit}. */
    public synchronized List<Entry> audit(long since, int limit) {
        return after(audit, since, limit);
    }

    private static List<Entry> after(Deque<Entry> q, long since, int limit) {
        List<Entry> out = new ArrayList<>();
        var it = q.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.seq() <= since) {
                break;
            }
            out.add(e);
        }
        java.util.Collections.reverse(out);
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    public synchronized List<Server> servers() {
        return List.copyOf(servers.values());
    }

    /** The edge's last telemetry window (rates by method and class, dialogs, suspects). */
    public synchronized Map<String, Object> traffic() {
        return traffic;
    }

    /** {@code metric} (dialogs, up) per server: the seconds and one row of values per server (null: no value). */
    public synchronized Map<String, Object> heat(String metric) {
        Map<String, TreeMap<Long, Double>> rows = heat.getOrDefault(metric, Map.of());
        java.util.TreeSet<Long> seconds = new java.util.TreeSet<>();
        rows.values().forEach(r -> seconds.addAll(r.keySet()));
        while (seconds.size() > HEAT_SECONDS) {
            seconds.pollFirst();
        }
        Map<String, List<Double>> values = new TreeMap<>();
        rows.forEach((server, series) -> values.put(server, seconds.stream().map(series::get).toList()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("metric", metric);
        out.put("metrics", List.copyOf(heat.keySet()));
        out.put("seconds", seconds.stream().map(s -> s * 1000).toList());
        out.put("rows", values);
        return out;
    }

    /** Every action's last decision (deploy, extend, refuse, revoke), newest first. */
    public synchronized List<Entry> actions() {
        List<Entry> out = new ArrayList<>(actions.values());
        java.util.Collections.reverse(out);
        return out;
    }

    /**
     * Why an action was taken, from the action back to the events: its decision, then its last
     * call's outcome when that failed or was refused (with the actuator's reason), the context it
     * was taken in, the alert that caused the context, and the events the chronicle matched.
     * Links the dashboard has not seen (older than it remembers) are named, with no entry.
     */
    public synchronized List<Map<String, Object>> chain(String actionId) {
        Entry entry = actions.get(actionId);
        if (entry == null) {
            return null;
        }
        ActionDecision decision = decisions.get(actionId);
        List<Map<String, Object>> chain = new ArrayList<>();
        chain.add(link("action", actionId, entry));
        Entry failed = unsuccessful.get(actionId);
        if (failed != null) {
            chain.add(link("outcome", actionId, failed));
        }
        String context = decision.context().id();
        chain.add(link("context", context, contexts.get(context)));
        Cause cause = decision.cause();
        if (cause != null && cause.id() != null) {
            Entry alert = byId.get(cause.id());
            chain.add(link(alert == null ? "alert" : kind(alert), cause.id(), alert));
            if (alert != null && DiagnosisEvents.INDICTED.matches(alert.type())) {
                Entry window = distances.getOrDefault(alert.attrs().get(PeerIndicted.GROUP), new TreeMap<>()).get(alert.time());
                chain.add(link("distances", window == null ? alert.attrs().get(PeerIndicted.GROUP) + "@" + alert.time() : window.id(),
                        window));
                return chain;
            }
            Object events = alert != null ? alert.attrs().get(ChronicleEvents.EVENTS) : null;
            List<String> ids = events != null ? ChronicleAlert.eventIds(events.toString()) : cause.eventIds();
            for (String id : ids) {
                if (!id.isEmpty()) {
                    Entry e = byId.get(id);
                    chain.add(link(e == null ? "event" : kind(e), id, e));
                }
            }
        }
        return chain;
    }

    /** What a link of a chain is, by the lane of its entry: a revoke's cause is the event that ended its context. */
    private static String kind(Entry e) {
        return switch (e.lane()) {
            case "alerts" -> "alert";
            case "alarms" -> "alarm";
            case "diagnosis" -> e.type().equals(PeerIndicted.TYPE) ? "indictment" : "verdict";
            default -> "event";
        };
    }

    /**
     * A server after a change of the edge's backend: added backends start up (as the edge takes
     * them), a weight change keeps the state it had.
     */
    private static Server serverAfter(String id, Server before, Event e) {
        long dialogs = before == null ? 0 : before.dialogs();
        return switch (e.to()) {
            case "added" -> new Server(id, "up", dialogs, e.time());
            case "weight" -> before != null ? before : new Server(id, "up", dialogs, e.time());
            default -> new Server(id, e.to(), dialogs, e.time());
        };
    }

    private static Map<String, Object> link(String kind, String id, Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("id", id);
        m.put("entry", e);
        return m;
    }

    /** Events on the channels that could not be decoded. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
    }
}
