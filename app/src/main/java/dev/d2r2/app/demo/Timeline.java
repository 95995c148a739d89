package dev.d2r2.app.demo;

import dev.d2r2.app.web.Observatory;
import dev.d2r2.chronicle.events.ChronicleEvents;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.events.CannotVote;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.migrate.events.HostAtRisk;
import dev.d2r2.migrate.events.MigrateEvents;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The live timeline in the terminal: the observatory's entries as they come, one line each,
 * seconds since the start in front. A burst of alike entries (fifty attackers blocked at once)
 * prints as one line with a count and the first few subjects.
 */
final class Timeline {
    private static final long TICK_MS = 200;
    private static final int BURST = 3;
    /** The parameter of the demo's flooding context that names the attacker. */
    private static final String ATTACKER = "attacker";

    private final Observatory observatory;
    private final PrintStream out;
    private final long t0;
    private long seen;

    Timeline(Observatory observatory, PrintStream out, long t0) {
        this.observatory = observatory;
        this.out = out;
        this.t0 = t0;
    }

    /** Prints what happens until {@code deadline} (epoch ms). */
    void until(long deadline) {
        until(() -> false, deadline);
    }

    /** Prints what happens until {@code done} holds or {@code deadline} passes. */
    void until(BooleanSupplier done, long deadline) {
        while (System.currentTimeMillis() < deadline && !done.getAsBoolean()) {
            flush();
            Demo.pause(Math.min(TICK_MS, deadline - System.currentTimeMillis()));
        }
        flush();
    }

    /** Prints the entries not printed yet. */
    void flush() {
        List<Observatory.Entry> fresh = observatory.timeline(seen, Integer.MAX_VALUE);
        if (fresh.isEmpty()) {
            return;
        }
        seen = fresh.getLast().seq();
        Map<String, List<Observatory.Entry>> groups = new LinkedHashMap<>();
        for (Observatory.Entry e : fresh) {
            groups.computeIfAbsent(e.lane() + "|" + e.type() + "|" + what(e), k -> new ArrayList<>()).add(e);
        }
        for (List<Observatory.Entry> g : groups.values()) {
            if (g.size() > BURST) {
                Observatory.Entry first = g.getFirst();
                List<String> subjects = g.stream().limit(BURST).map(Timeline::subject).toList();
                out.printf("%8.3fs  %-9s %-34s %s ×%d (%s, ...)%n", (first.time() - t0) / 1000.0, first.lane(), first.type(),
                        what(first), g.size(), String.join(", ", subjects));
            } else {
                g.forEach(this::print);
            }
        }
        out.flush();
    }

    private void print(Observatory.Entry e) {
        out.printf("%8.3fs  %-9s %-34s %s%s%n", (e.time() - t0) / 1000.0, e.lane(), e.type(), what(e),
                e.lane().equals("story") ? "" : "  " + subject(e));
    }

    /** What happened, without who it happened to. */
    private static String what(Observatory.Entry e) {
        Map<String, Object> a = e.attrs();
        return switch (e.type()) {
            case "story" -> "== " + a.get("text");
            case PeerIndicted.TYPE -> indicted(e.event());
            case PeerCleared.TYPE -> "cleared";
            case CannotVote.TYPE -> "cannot vote: " + a.get("reason");
            default -> {
                if (MigrateEvents.HOST_AT_RISK.matches(e.type())) {
                    yield "at risk: " + a.get(HostAtRisk.CLASS) + " of the " + a.get(HostAtRisk.LOCATION)
                            + (Boolean.TRUE.equals(a.get(HostAtRisk.PREDICTABLE)) ? ", predicted" : "") + " (" + a.get(HostAtRisk.EVIDENCE) + ")";
                }
                if (ScaleEvents.STEP.matches(e.type())) {
                    yield step(e.event());
                }
                String policy = policyWhat(e.event());
                yield policy != null ? policy : e.to() != null ? (e.from() == null ? "?" : e.from()) + " -> " + e.to()
                        : a.containsKey(ChronicleEvents.CHRONICLE) ? "alert from chronicle " + a.get(ChronicleEvents.CHRONICLE) : "";
            }
        };
    }

    private static String indicted(Event e) {
        try {
            PeerIndicted i = PeerIndicted.from(e);
            return String.format(Locale.ROOT, "indicted: sqrt-JSD %.2f > %.2f from %d of %d peers, %s off by %.1f", i.distance(),
                    i.threshold(), i.votes(), i.voters() - 1, i.metric(), i.effect());
        } catch (EventFormatException ex) {
            return "malformed " + e.type();
        }
    }

    private static String step(Event e) {
        try {
            ScaleStep s = ScaleStep.from(e);
            return s.direction() + " " + s.before() + " -> " + s.after() + (s.why() == null ? "" : " (" + s.why() + ")");
        } catch (EventFormatException ex) {
            return "malformed " + e.type();
        }
    }

    /** What the policy did, or null when {@code e} is not one of its events. */
    private static String policyWhat(Event e) {
        try {
            if (PolicyEvents.DECISION.matches(e.type())) {
                ActionDecision d = ActionDecision.from(e);
                return d.verdict().key() + " " + d.action().actuator() + "/" + d.action().op() + " (rule " + d.rule() + ")";
            }
            if (PolicyEvents.OUTCOME.matches(e.type())) {
                ActionOutcome o = ActionOutcome.from(e);
                return o.call().key() + " " + o.result().key();
            }
            if (PolicyEvents.CONTEXT.matches(e.type())) {
                ContextChange c = ContextChange.from(e);
                return c.instance().name() + " " + c.change().key();
            }
        } catch (EventFormatException ex) {
            return "malformed " + e.type();
        }
        return null;
    }

    private static String subject(Observatory.Entry e) {
        Map<String, Object> a = e.attrs();
        if (a.containsKey("target")) {
            return String.valueOf(a.get("target"));
        }
        if (a.containsKey("src")) {
            return String.valueOf(a.get("src"));
        }
        if (PolicyEvents.CONTEXT.matches(e.type())) {
            try {
                String attacker = ContextChange.from(e.event()).instance().params().get(ATTACKER);
                if (attacker != null) {
                    return attacker;
                }
            } catch (EventFormatException ex) {
                return e.source();
            }
        }
        return e.source() == null ? "" : e.source();
    }
}
