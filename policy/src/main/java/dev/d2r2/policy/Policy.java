package dev.d2r2.policy;

import dev.d2r2.core.SubjectPattern;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.policy.actuator.ActuatorKinds;
import dev.d2r2.policy.config.ActuatorConfig;
import dev.d2r2.policy.config.ContextConfig;
import dev.d2r2.policy.config.EnforceConfig;
import dev.d2r2.policy.config.MatchConfig;
import dev.d2r2.policy.config.NodeConfig;
import dev.d2r2.policy.config.PolicyConfig;
import dev.d2r2.policy.config.RuleConfig;
import dev.d2r2.policy.config.SafetyConfig;

import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A checked Or-BAC policy: the hierarchies, the contexts, the abstract rules and how each is
 * enforced. Compiled from a {@link PolicyConfig}, the file as written (plain data, which knows
 * nothing of this class); every cross-reference is checked here and a mistake is reported at its
 * own key ({@link InvalidAt}).
 */
public final class Policy {
    public static final String NOMINAL = "nominal";

    public enum Kind { NOMINAL, TEMPORAL, THREAT }

    public enum Modality {
        PERMISSION, PROHIBITION, OBLIGATION;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A context: the built-in nominal one, a time window, or a threat activated by alerts. */
    public record Context(String name, Kind kind, String organization, EventMatch when, Map<String, Template> empower,
                          Duration lifetime, boolean renew, List<EventMatch> clear, TemporalWindow window) {
    }

    /** How a rule is enforced, with its texts compiled. */
    public record Enforcement(String actuator, String op, Template target, Map<String, Template> params, Duration duration) {
    }

    public record Rule(String name, Modality modality, String organization, String role, String activity, String view,
                       String context, int priority, Enforcement enforce) {
    }

    final Hierarchy organizations;
    final Hierarchy roles;
    final Hierarchy activities;
    final Hierarchy views;
    final Map<String, List<SubjectPattern>> members = new LinkedHashMap<>();
    final Map<String, Set<String>> actions = new LinkedHashMap<>();
    final Map<String, Set<String>> objects = new LinkedHashMap<>();
    final Map<String, Context> contexts = new LinkedHashMap<>();
    final List<Rule> rules = new ArrayList<>();
    final Map<String, ActuatorConfig> actuators;
    final SafetyConfig safety;
    final List<SubjectPattern> allow = new ArrayList<>();

    /**
     * Loads a policy file and compiles it; a mistake is reported at its file, line, column and key.
     * Files it names (a webhook's {@code token-file}) are relative to its directory.
     */
    public static Policy load(Path file) throws ConfigException {
        Path base = file.toAbsolutePath().getParent();
        return ConfigLoader.load(file, PolicyConfig.class, c -> new Policy(c, base));
    }

    public static Policy parse(String origin, String text) throws ConfigException {
        return ConfigLoader.parse(origin, text, PolicyConfig.class, Policy::new);
    }

    /** Compiles {@code c}, files relative to the working directory; throws {@link InvalidAt} with the path of the first mistake. */
    public Policy(PolicyConfig c) {
        this(c, Path.of(""));
    }

    /** Compiles {@code c}, files relative to {@code base}. */
    public Policy(PolicyConfig c, Path base) {
        if (c.organizations().isEmpty()) {
            throw new InvalidAt("a policy needs at least one organization", "organizations");
        }
        organizations = hierarchy("organization", "organizations", c.organizations());
        roles = hierarchy("role", "roles", c.roles());
        activities = hierarchy("activity", "activities", c.activities());
        views = hierarchy("view", "views", c.views());
        only("organizations", c.organizations(), "members", "actions", "objects");
        only("roles", c.roles(), "actions", "objects");
        only("activities", c.activities(), "members", "objects");
        only("views", c.views(), "members", "actions");
        c.roles().forEach((name, n) -> {
            List<SubjectPattern> list = new ArrayList<>();
            for (int i = 0; i < n.members().size(); i++) {
                list.add(pattern(n.members().get(i), "roles", name, "members", i));
            }
            members.put(name, list);
        });
        c.activities().forEach((name, n) -> actions.put(name, Set.copyOf(n.actions())));
        c.views().forEach((name, n) -> objects.put(name, Set.copyOf(n.objects())));
        actuators = new LinkedHashMap<>();
        c.actuators().forEach((name, a) -> actuators.put(name, a.resolvedAgainst(base)));
        actuators.forEach((name, a) -> {
            try {
                ActuatorKinds.of(a.kind()).validate(a);
            } catch (InvalidAt e) {
                throw relocate(e, "actuators", name);
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), "actuators", name, "kind");
            }
        });
        safety = c.safety();
        for (int i = 0; i < safety.allow().size(); i++) {
            allow.add(pattern(safety.allow().get(i), "safety", "allow", i));
        }
        contexts.put(NOMINAL, new Context(NOMINAL, Kind.NOMINAL, null, null, Map.of(), null, false, List.of(), null));
        c.contexts().forEach((name, ctx) -> contexts.put(name, context(name, ctx)));
        Set<String> ruleNames = new HashSet<>();
        for (int i = 0; i < c.rules().size(); i++) {
            RuleConfig r = c.rules().get(i);
            if (!ruleNames.add(r.name())) {
                throw new InvalidAt("two rules are named " + r.name(), "rules", i, "name");
            }
            rules.add(rule(r, i));
        }
    }

    private static Hierarchy hierarchy(String what, String key, Map<String, NodeConfig> nodes) {
        try {
            return new Hierarchy(what, nodes);
        } catch (IllegalArgumentException e) {
            String culprit = nodes.keySet().stream().filter(n -> e.getMessage().startsWith(what + " " + n + ":")
                    || e.getMessage().startsWith(what + " " + n + " ")).findFirst().orElse(null);
            throw culprit == null ? new InvalidAt(e.getMessage(), key) : new InvalidAt(e.getMessage(), key, culprit, "parent");
        }
    }

    private static void only(String key, Map<String, NodeConfig> nodes, String... forbidden) {
        nodes.forEach((name, n) -> {
            for (String f : forbidden) {
                boolean used = switch (f) {
                    case "members" -> !n.members().isEmpty();
                    case "actions" -> !n.actions().isEmpty();
                    default -> !n.objects().isEmpty();
                };
                if (used) {
                    throw new InvalidAt(f + " do not belong in " + key + " (roles have members, activities actions, views objects)",
                            key, name, f);
                }
            }
        });
    }

    private static SubjectPattern pattern(String text, Object... path) {
        try {
            return SubjectPattern.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), path);
        }
    }

    private static InvalidAt relocate(InvalidAt e, Object... prefix) {
        List<Object> path = new ArrayList<>(List.of(prefix));
        path.addAll(e.path());
        return new InvalidAt(e.getMessage(), path.toArray());
    }

    private String organization(String given, Object... path) {
        if (given != null) {
            if (!organizations.contains(given)) {
                throw new InvalidAt("unknown organization " + given + " (known: " + String.join(", ", organizations.names()) + ")", path);
            }
            return given;
        }
        List<String> roots = organizations.roots();
        if (roots.size() != 1) {
            throw new InvalidAt("several root organizations (" + String.join(", ", roots) + "): name one with organization:", path);
        }
        return roots.getFirst();
    }

    private Context context(String name, ContextConfig c) {
        if (c.threat()) {
            String org = organization(c.organization(), "contexts", name, "kind");
            EventMatch when = new EventMatch(c.when());
            Set<String> params = c.when().bind().keySet();
            Map<String, Template> empower = new LinkedHashMap<>();
            c.empower().forEach((role, text) -> {
                if (!roles.contains(role)) {
                    throw new InvalidAt("unknown role " + role + " (known: " + String.join(", ", roles.names()) + ")",
                            "contexts", name, "empower", role);
                }
                empower.put(role, template(text, params, "contexts", name, "empower", role));
            });
            List<EventMatch> clears = new ArrayList<>();
            for (int i = 0; i < c.clear().size(); i++) {
                MatchConfig m = c.clear().get(i);
                for (String p : m.bind().keySet()) {
                    if (!params.contains(p)) {
                        throw new InvalidAt("clear binds " + p + ", which when: does not bind (bound: " + String.join(", ", params) + ")",
                                "contexts", name, "clear", i, "bind", p);
                    }
                }
                clears.add(new EventMatch(m));
            }
            return new Context(name, Kind.THREAT, org, when, empower, c.lifetime(), c.renew(), clears, null);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (int i = 0; i < c.days().size(); i++) {
            days.add(day(c.days().get(i), "contexts", name, "days", i));
        }
        ZoneId zone;
        try {
            zone = c.zone() == null ? ZoneId.of("UTC") : ZoneId.of(c.zone());
        } catch (RuntimeException e) {
            throw new InvalidAt("unknown time zone " + c.zone() + " (e.g. UTC, Europe/Paris)", "contexts", name, "zone");
        }
        LocalTime from = time(c.from(), "contexts", name, "from");
        LocalTime to = time(c.to(), "contexts", name, "to");
        if (from.equals(to)) {
            throw new InvalidAt("from and to are the same time: the window would be empty", "contexts", name, "to");
        }
        return new Context(name, Kind.TEMPORAL, null, null, Map.of(), null, false, List.of(),
                new TemporalWindow(days, from, to, zone));
    }

    private static DayOfWeek day(String text, Object... path) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().toLowerCase(Locale.ROOT).startsWith(text.toLowerCase(Locale.ROOT)) && text.length() >= 3) {
                return d;
            }
        }
        throw new InvalidAt("not a day of the week: " + text + " (mon, tue, wed, thu, fri, sat, sun)", path);
    }

    private static LocalTime time(String text, Object... path) {
        try {
            return LocalTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidAt("not a time of day: \"" + text + "\" (e.g. \"08:00\")", path);
        }
    }

    private static Template template(String text, Set<String> known, Object... path) {
        try {
            return Template.parse(text, known);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), path);
        }
    }

    private Rule rule(RuleConfig r, int i) {
        String org = organization(r.organization(), "rules", i, r.organization() == null ? "kind" : "organization");
        known(roles, "role", r.role(), i);
        known(activities, "activity", r.activity(), i);
        known(views, "view", r.view(), i);
        Context ctx = contexts.get(r.context());
        if (ctx == null) {
            throw new InvalidAt("unknown context " + r.context() + " (known: " + String.join(", ", contexts.keySet()) + ")",
                    "rules", i, "context");
        }
        if (ctx.kind() == Kind.THREAT && !organizations.isWithin(ctx.organization(), org)) {
            throw new InvalidAt("context " + ctx.name() + " belongs to organization " + ctx.organization()
                    + ", outside " + org, "rules", i, "context");
        }
        Enforcement enforcement = null;
        EnforceConfig e = r.enforce();
        if (e != null) {
            if (!actuators.containsKey(e.actuator())) {
                throw new InvalidAt("unknown actuator " + e.actuator() + " (declared: " + String.join(", ", actuators.keySet()) + ")",
                        "rules", i, "enforce", "actuator");
            }
            Set<String> known = new HashSet<>(Set.of("subject", "rule", "context"));
            if (ctx.kind() == Kind.THREAT) {
                known.addAll(ctx.when().bindings().keySet());
            }
            Map<String, Template> params = new LinkedHashMap<>();
            e.params().forEach((k, v) -> params.put(k, template(v, known, "rules", i, "enforce", "params", k)));
            enforcement = new Enforcement(e.actuator(), e.op(), template(e.target(), known, "rules", i, "enforce", "target"),
                    params, e.duration());
        }
        return new Rule(r.name(), Modality.valueOf(r.kind().toUpperCase(Locale.ROOT)), org, r.role(), r.activity(), r.view(),
                r.context(), r.priority(), enforcement);
    }

    private static void known(Hierarchy h, String what, String name, int rule) {
        if (!h.contains(name)) {
            throw new InvalidAt("unknown " + what + " " + name + " (known: " + String.join(", ", h.names()) + ")",
                    "rules", rule, what);
        }
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    public Map<String, Context> contexts() {
        return java.util.Collections.unmodifiableMap(contexts);
    }

    public Map<String, ActuatorConfig> actuators() {
        return java.util.Collections.unmodifiableMap(actuators);
    }

    public SafetyConfig safety() {
        return safety;
    }
}
