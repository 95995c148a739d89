package dev.d2r2.app.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.chronicle.events.ChronicleEvents;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextChange;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changes between two replays of the same records — the recorded rules and the candidate
 * ones: alerts, alarms and context changes gained or lost; decisions taken earlier, later, or not
 * at all, and new ones; refusals by the blast-radius guard. Outputs are matched by what they are
 * (an alert's type, source and attributes; a decision's verdict and action), the n-th of a kind
 * before with the n-th after; each difference comes with its cause chain in the run it belongs
 * to: the decision, the alert behind it, and the alarms behind that alert.
 */
public final class Diff {
    /** One difference: {@code before} or {@code after} is null when the output is lost or gained. */
    public record Change(String change, Output.Kind kind, String key, Output before, Output after, List<Output> cause) {
        /** Whether this is a refusal by the blast-radius guard. */
        public boolean blastRadius() {
            Output o = after != null ? after : before;
            Object reason = o.event().attrs().get(ActionDecision.REASON);
            return o.kind() == Output.Kind.DECISION && reason instanceof String s && s.startsWith("blast radius");
        }

        public String json() {
            StringBuilder b = new StringBuilder("{\"change\":\"").append(change).append("\",\"kind\":\"").append(kind.key())
                    .append("\",\"key\":").append(quote(key));
            if (before != null && after != null) {
                b.append(",\"by_ms\":").append(after.at() - before.at());
            }
            if (blastRadius()) {
                b.append(",\"blast_radius\":true");
            }
            b.append(",\"before\":").append(before == null ? "null" : before.json());
            b.append(",\"after\":").append(after == null ? "null" : after.json());
            b.append(",\"cause\":[");
            for (int i = 0; i < cause.size(); i++) {
                b.append(i == 0 ? "" : ",").append(cause.get(i).json());
            }
            return b.append("]}").toString();
        }
    }

    private Diff() {
    }

    /** The differences, in the order of the time they happen (before's time for a lost output). */
    public static List<Change> compare(List<Output> before, List<Output> after) throws EventFormatException {
        Map<String, List<Output>> was = byKey(before);
        Map<String, List<Output>> now = byKey(after);
        Map<String, Output> beforeById = byId(before);
        Map<String, Output> afterById = byId(after);
        List<Change> changes = new ArrayList<>();
        Set<String> keys = new TreeSet<>(was.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            List<Output> a = was.getOrDefault(key, List.of());
            List<Output> b = now.getOrDefault(key, List.of());
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                Output x = i < a.size() ? a.get(i) : null;
                Output y = i < b.size() ? b.get(i) : null;
                String label = x == null ? "gained" : y == null ? "lost" : x.at() == y.at() ? null
                        : y.at() < x.at() ? "earlier" : "later";
                if (label != null) {
                    Output shown = y != null ? y : x;
                    changes.add(new Change(label, shown.kind(), key.substring(key.indexOf(' ') + 1), x, y,
                            causes(shown, y != null ? afterById : beforeById)));
                }
            }
        }
        changes.sort(Comparator.comparingLong(c -> c.before() != null ? c.before().at() : c.after().at()));
        return changes;
    }

    /** Outputs by what they are, each list in time order; gaps are left out (they are the same in both runs). */
    private static Map<String, List<Output>> byKey(List<Output> outputs) throws EventFormatException {
        Map<String, List<Output>> m = new TreeMap<>();
        for (Output o : outputs) {
            if (o.kind() != Output.Kind.MISSING) {
                m.computeIfAbsent(o.kind().key() + " " + key(o), k -> new ArrayList<>()).add(o);
            }
        }
        return m;
    }

    /** What an output is, whatever its time and its ids. */
    static String key(Output o) throws EventFormatException {
        Event e = o.event();
        return switch (o.kind()) {
            case ALARM -> e.type() + " " + e.source() + " " + e.from() + "->" + e.to();
            case ALERT -> {
                ChronicleAlert a = ChronicleAlert.from(e);
                yield a.type() + " " + a.source() + " " + new TreeMap<>(a.attributes()) + " (" + a.chronicle() + ")";
            }
            case CONTEXT -> {
                ContextChange c = ContextChange.from(e);
                yield c.change().key() + " " + c.instance().id();
            }
            case DECISION -> {
                ActionDecision d = ActionDecision.from(e);
                yield d.verdict().key() + " " + d.action().id() + (d.reason() == null ? "" : " (" + d.reason() + ")");
            }
            case DIAGNOSIS -> e.type() + " " + e.source() + " in " + e.attrs().get(PeerIndicted.GROUP);
            case MISSING -> o.gap().toString();
        };
    }

    private static Map<String, Output> byId(List<Output> outputs) {
        Map<String, Output> m = new HashMap<>();
        for (Output o : outputs) {
            if (o.event() != null && o.event().id() != null && (o.kind() == Output.Kind.ALERT || o.kind() == Output.Kind.ALARM
                    || o.kind() == Output.Kind.DIAGNOSIS)) {
                m.put(o.event().id(), o);
            }
        }
        return m;
    }

    /**
     * The alert behind a decision or context change, then what is behind each alert (the alerts it
     * was recognised from, the alarms), as far as the run produced them, nearest first.
     */
    private static List<Output> causes(Output o, Map<String, Output> byId) throws EventFormatException {
        String first = switch (o.kind()) {
            case DECISION -> causeId(ActionDecision.from(o.event()).cause());
            case CONTEXT -> causeId(ContextChange.from(o.event()).cause());
            case ALERT -> o.event().id();
            default -> null;
        };
        List<Output> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> next = new ArrayDeque<>();
        if (first != null) {
            next.add(first);
        }
        while (!next.isEmpty()) {
            Output behind = byId.get(next.poll());
            if (behind == null || !seen.add(behind.event().id())) {
                continue;
            }
            if (behind != o) {
                chain.add(behind);
            }
            Object ids = behind.event().attrs().get(ChronicleEvents.EVENTS);
            if (behind.kind() == Output.Kind.ALERT && ids != null) {
                next.addAll(ChronicleAlert.eventIds(ids.toString()));
            }
        }
        return chain;
    }

    private static String causeId(Cause c) {
        return c == null ? null : c.id();
    }

    private static String quote(String s) {
        try {
            return ConfigLoader.json().writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts by change and kind, for a summary line: {@code "decision lost": 2}. */
    public static Map<String, Integer> summary(List<Change> changes) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Change c : changes) {
            m.merge(c.kind().key() + " " + c.change(), 1, Integer::sum);
        }
        return m;
    }
}
