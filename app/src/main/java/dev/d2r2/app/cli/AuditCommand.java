package dev.d2r2.app.cli;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.policy.AuditLog;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.ContextId;
import dev.d2r2.policy.events.PolicyEvents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/** {@code d2r2 audit}: the policy engine's audit trail, filtered. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Print the policy engine's audit trail: context changes, decisions and actuator outcomes, with their causes.",
                "One line per record, oldest first; --json prints the records themselves (JSON Lines events)."})
public final class AuditCommand implements Callable<Integer> {
    @Option(names = "--file", paramLabel = "FILE", description = "The audit trail (default: ${DEFAULT-VALUE})")
    Path file = PolicyCommand.defaultAudit();

    @Option(names = "--since", paramLabel = "DURATION|INSTANT", description = "Only records from then on (10m, 2026-11-22T10:00:00Z)")
    String since;

    @Option(names = "--context", paramLabel = "NAME",
            description = "Only what concerns this context (a name, e.g. flooding, or one instance, flooding{attacker=...})")
    String context;

    @Option(names = "--json", description = "Print the records as JSON Lines")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file (the policy role writes it: d2r2 policy run)");
        }
        long from = since == null ? Long.MIN_VALUE : TimeArgs.since(since, System.currentTimeMillis());
        List<Event> trail = AuditLog.read(file, bad -> System.err.println(bad + " (skipped)"));
        Set<String> actionsOfContext = new HashSet<>();
        for (Event e : trail) {
            boolean concerns = context == null || concerns(e, actionsOfContext);
            if (e.time() < from || !concerns) {
                continue;
            }
            System.out.println(json ? EventCodec.encodeToString(e) : describe(e));
        }
        return 0;
    }

    private boolean concerns(Event e, Set<String> actionsOfContext) {
        try {
            if (PolicyEvents.CONTEXT.matches(e.type())) {
                return matches(ContextChange.from(e).instance());
            }
            if (PolicyEvents.DECISION.matches(e.type())) {
                ActionDecision d = ActionDecision.from(e);
                boolean m = matches(d.context());
                if (m) {
                    actionsOfContext.add(d.action().id());
                }
                return m;
            }
        } catch (EventFormatException ex) {
            return false;
        }
        return actionsOfContext.contains(e.source());
    }

    private boolean matches(ContextId instance) {
        return context.equals(instance.id()) || context.equals(instance.name());
    }

    static String describe(Event e) {
        String when = Instant.ofEpochMilli(e.time()).toString();
        try {
            if (PolicyEvents.CONTEXT.matches(e.type())) {
                ContextChange c = ContextChange.from(e);
                return String.format("%s  context  %-9s %s%s", when, c.change().key(), c.instance(),
                        c.expires() != ContextChange.NEVER ? "  until " + Instant.ofEpochMilli(c.expires()) : "") + cause(c.cause());
            }
            if (PolicyEvents.DECISION.matches(e.type())) {
                ActionDecision d = ActionDecision.from(e);
                boolean ended = d.verdict() == ActionDecision.Verdict.REVOKE || d.verdict() == ActionDecision.Verdict.REFUSE;
                return String.format("%s  %-7s  %s  rule %s in %s%s", when, d.verdict().key(), d.action().id(), d.rule(),
                        d.context(), ended ? "  (" + d.reason() + ")" : "  until " + Instant.ofEpochMilli(d.action().expires()))
                        + cause(d.cause());
            }
            if (PolicyEvents.OUTCOME.matches(e.type())) {
                ActionOutcome o = ActionOutcome.from(e);
                return String.format("%s  outcome  %s %s: %s%s%s", when, o.call().key(), o.actionId(), o.result().key(),
                        o.error() != null ? " (" + o.error() + ")" : "",
                        o.retryAt() != null ? ", retry at " + Instant.ofEpochMilli(o.retryAt()) : "");
            }
        } catch (EventFormatException ex) {
            return when + "  malformed: " + ex.getMessage() + "  " + EventCodec.encodeToString(e);
        }
        return when + "  " + EventCodec.encodeToString(e);
    }

    private static String cause(Cause c) {
        if (c == null || c.type() == null) {
            return "";
        }
        StringJoiner j = new StringJoiner(" ", "  cause: ", "");
        j.add(c.type());
        if (c.id() != null) {
            j.add(c.id());
        }
        if (c.chronicle() != null) {
            j.add("from chronicle " + c.chronicle());
        }
        if (c.events() != null) {
            j.add("on events " + c.events());
        }
        return j.toString();
    }
}
