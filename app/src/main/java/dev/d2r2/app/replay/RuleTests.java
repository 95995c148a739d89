package dev.d2r2.app.replay;

import dev.d2r2.core.Durations;
import dev.d2r2.core.Event;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the tests of a {@link RuleTestFile}: each case's input through the loop of the file's
 * rules, then every expected list compared with the outputs of its kind, in order, one for one.
 */
public final class RuleTests {
    /** One case's verdict: null {@code failure} when it passed. */
    public record Verdict(String name, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    private RuleTests() {
    }

    /** Loads the file and its rules (clear errors on either), and runs its cases. */
    public static List<Verdict> run(Path file) throws ConfigException, IOException, ReplayException {
        RuleTestFile t = ConfigLoader.load(file, RuleTestFile.class);
        Path base = file.toAbsolutePath().getParent();
        Rules rules = Rules.load(t.config() == null ? null : base.resolve(t.config()),
                new Rules.Overrides(t.chronicles().stream().map(base::resolve).toList(),
                        t.policy() == null ? null : base.resolve(t.policy()),
                        t.thresholds() == null ? null : base.resolve(t.thresholds())));
        if (t.channels() != null) {
            rules = rules.wiredTo(t.channels().chronicles(), t.channels().policy());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (RuleTestFile.Case c : t.tests()) {
            Replay.Result r = replay(rules, c, base);
            verdicts.add(new Verdict(c.name(), check(c.expect(), r)));
        }
        return verdicts;
    }

    private static Replay.Result replay(Rules rules, RuleTestFile.Case c, Path base) throws IOException, ReplayException {
        if (c.slice() != null) {
            Path data = base.resolve(c.slice().data());
            try (RecordedLog log = RecordedLog.open(data, rules.inputChannels(), instant(c.slice().from()), instant(c.slice().to()))) {
                return Replay.collect(rules, log);
            }
        }
        List<Recorded> events = new ArrayList<>();
        long last = 0;
        for (int i = 0; i < c.input().size(); i++) {
            RuleTestFile.Input in = c.input().get(i);
            long t = time(in.time());
            Event e = new Event(in.id() != null ? in.id() : in.channel() + "@" + i, in.type(), t, in.source(), in.from(), in.to(),
                    new LinkedHashMap<>(in.attrs()));
            events.add(new Recorded(in.channel(), i, t, e));
            last = Math.max(last, t);
        }
        Long until = time(c.until());
        return Replay.collect(rules, new Replay.Events(events, until == null ? last : Math.max(until, last)));
    }

    private static Long instant(Object value) throws ReplayException {
        return value instanceof Number n ? Long.valueOf(n.longValue()) : RecordedLog.instant(value == null ? null : value.toString(), "slice");
    }

    static Long time(Object value) {
        return switch (value) {
            case null -> null;
            case Number n -> n.longValue();
            default -> Durations.parse(value.toString()).toMillis();
        };
    }

    /** Null when the outputs are as expected; else what differs, and what came. */
    private static String check(RuleTestFile.Expect expect, Replay.Result r) {
        List<String> problems = new ArrayList<>();
        compare("alarms", expect.alarms(), r, Output.Kind.ALARM, problems);
        compare("alerts", expect.alerts(), r, Output.Kind.ALERT, problems);
        compare("contexts", expect.contexts(), r, Output.Kind.CONTEXT, problems);
        compare("decisions", expect.decisions(), r, Output.Kind.DECISION, problems);
        if (expect.uncertain() != null && expect.uncertain() != r.uncertain()) {
            problems.add("expected the result " + (expect.uncertain() ? "" : "not ") + "to be uncertain (gaps: " + r.gaps() + ")");
        }
        return problems.isEmpty() ? null : String.join("\n", problems);
    }

    private static void compare(String what, List<Map<String, Object>> expected, Replay.Result r, Output.Kind kind,
                                List<String> problems) {
        if (expected == null) {
            return;
        }
        List<Output> got = r.outputs().stream().filter(o -> o.kind() == kind).toList();
        List<Output> unmatched = new ArrayList<>(got);
        List<Map<String, Object>> missing = new ArrayList<>();
        for (Map<String, Object> want : expected) {
            Output match = unmatched.stream().filter(o -> matches(want, o)).findFirst().orElse(null);
            if (match == null) {
                missing.add(want);
            } else {
                unmatched.remove(match);
            }
        }
        if (missing.isEmpty() && unmatched.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder(what + ": expected " + expected.size() + ", got " + got.size());
        missing.forEach(m -> b.append("\n  expected, not found: ").append(m));
        unmatched.forEach(o -> b.append("\n  not expected:        ").append(o.json()));
        problems.add(b.toString());
    }

    private static boolean matches(Map<String, Object> want, Output o) {
        Event e = o.event();
        for (Map.Entry<String, Object> f : want.entrySet()) {
            Object actual = switch (f.getKey()) {
                case "at" -> o.at();
                case "id" -> e.id();
                case "type" -> e.type();
                case "source" -> e.source();
                case "from" -> e.from();
                case "to" -> e.to();
                default -> e.attrs().get(f.getKey());
            };
            Object expected = f.getKey().equals("at") ? time(f.getValue()) : f.getValue();
            if (actual == null || !String.valueOf(actual).equals(String.valueOf(expected))) {
                return false;
            }
        }
        return true;
    }
}
