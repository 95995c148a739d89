package dev.d2r2.app.cli;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.policy.AuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
        Map<String, Object> a = e.attrs();
        return switch (e.type()) {
            case "policy.context" -> matches(e.source(), String.valueOf(a.get("context")));
            case "policy.decision" -> {
                boolean m = matches(String.valueOf(a.get("context")), contextName(String.valueOf(a.get("context"))));
                if (m) {
                    actionsOfContext.add(e.source());
                }
                yield m;
            }
            default -> actionsOfContext.contains(e.source());
        };
    }

    private boolean matches(String instance, String name) {
        return context.equals(instance) || context.equals(name);
    }

    private static String contextName(String instance) {
        int brace = instance.indexOf('{');
        return brace < 0 ? instance : instance.substring(0, brace);
    }

    static String describe(Event e) {
        Map<String, Object> a = e.attrs();
        String when = Instant.ofEpochMilli(e.time()).toString();
        return switch (e.type()) {
            case "policy.context" -> String.format("%s  context  %-9s %s%s", when, a.get("change"), e.source(),
                    a.containsKey("expires") ? "  until " + Instant.ofEpochMilli(((Number) a.get("expires")).longValue()) : "")
                    + cause(a);
            case "policy.decision" -> String.format("%s  %-7s  %s  rule %s in %s%s", when, a.get("decision"), e.source(),
                    a.get("rule"), a.get("context"), a.get("decision").equals("revoke") || a.get("decision").equals("refuse")
                            ? "  (" + a.get("reason") + ")"
                            : "  until " + Instant.ofEpochMilli(((Number) a.get("expires")).longValue()))
                    + cause(a);
            case "policy.outcome" -> String.format("%s  outcome  %s %s: %s%s%s", when, a.get("call"), e.source(), a.get("outcome"),
                    a.containsKey("error") ? " (" + a.get("error") + ")" : "",
                    a.containsKey("retry-at") ? ", retry at " + Instant.ofEpochMilli(((Number) a.get("retry-at")).longValue()) : "");
            default -> when + "  " + EventCodec.encodeToString(e);
        };
    }

    private static String cause(Map<String, Object> a) {
        if (!a.containsKey("cause.type")) {
            return "";
        }
        StringJoiner j = new StringJoiner(" ", "  cause: ", "");
        j.add(String.valueOf(a.get("cause.type")));
        if (a.containsKey("cause.id")) {
            j.add(String.valueOf(a.get("cause.id")));
        }
        if (a.containsKey("cause.chronicle")) {
            j.add("from chronicle " + a.get("cause.chronicle"));
        }
        if (a.containsKey("cause.events")) {
            j.add("on events " + a.get("cause.events"));
        }
        return j.toString();
    }
}
