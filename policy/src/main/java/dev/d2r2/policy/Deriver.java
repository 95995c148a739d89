package dev.d2r2.policy;

import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.Policy.Kind;
import dev.d2r2.policy.Policy.Modality;
import dev.d2r2.policy.Policy.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Makes abstract rules concrete (Or-BAC): for a subject, the rules that apply to it — its roles
 * (by static membership, or empowered by a threat context) are within the rule's role, and the
 * rule's context holds for it — and, among those, which win their conflicts.
 *
 * <p>A threat context holds for the subjects it empowers and for the static members of roles;
 * nominal and temporal contexts hold for every subject while they hold. Conflicts: a
 * permission and a prohibition conflict when one covers the other's activity and view; the
 * higher priority wins and, at equal priority, the prohibition. An obligation yields to a
 * covering prohibition of higher or equal priority that is itself in force.
 */
final class Deriver {
    /** A rule applied to a subject in one context instance. */
    record Candidate(Rule rule, String subject, ContextInstance context) {
    }

    /** A concrete action some candidate asks for, and the candidate. */
    record Derived(Action action, Candidate by) {
    }

    /** The outcome for one subject: the actions asked for, and the candidates overruled (with their winner). */
    record Derivation(List<Derived> actions, Map<Candidate, Candidate> overruled) {
    }

    private final Policy policy;
    private final ContextTable contexts;

    Deriver(Policy policy, ContextTable contexts) {
        this.policy = policy;
        this.contexts = contexts;
    }

    /** Subjects named literally as role members: rules apply to them without an alert. */
    Set<String> literalMembers() {
        Set<String> out = new HashSet<>();
        policy.members.values().forEach(list -> list.stream().filter(p -> !p.isBlock()).forEach(p -> out.add(p.toString())));
        return out;
    }

    Derivation derive(String subject) {
        List<Candidate> candidates = candidates(subject);
        Map<Candidate, Candidate> overruled = new LinkedHashMap<>();
        List<Derived> actions = new ArrayList<>();
        for (Candidate c : candidates) {
            Candidate winner = overrider(c, candidates);
            if (winner != null) {
                overruled.put(c, winner);
            } else if (c.rule().enforce() != null) {
                actions.add(new Derived(actionOf(c), c));
            }
        }
        return new Derivation(actions, overruled);
    }

    /** Who prevails over {@code c}, or null when it is in force. */
    private Candidate overrider(Candidate c, List<Candidate> all) {
        Rule r = c.rule();
        for (Candidate o : all) {
            Rule q = o.rule();
            if (o == c || !covers(q, r)) {
                continue;
            }
            boolean wins = switch (r.modality()) {
                case PROHIBITION -> q.modality() == Modality.PERMISSION && q.priority() > r.priority();
                case PERMISSION -> q.modality() == Modality.PROHIBITION && q.priority() >= r.priority();
                case OBLIGATION -> q.modality() == Modality.PROHIBITION && q.priority() >= r.priority()
                        && overrider(o, all) == null;
            };
            if (wins) {
                return o;
            }
        }
        return null;
    }

    private boolean covers(Rule q, Rule r) {
        return policy.activities.isWithin(r.activity(), q.activity()) && policy.views.isWithin(r.view(), q.view());
    }

    List<Candidate> candidates(String subject) {
        Set<String> fixed = rolesByMembership(subject);
        Set<String> all = new HashSet<>(fixed);
        for (ContextInstance i : contexts.empowering(subject)) {
            all.addAll(rolesIn(i, subject));
        }
        List<Candidate> out = new ArrayList<>();
        for (Rule r : policy.rules) {
            Policy.Context ctx = policy.contexts.get(r.context());
            if (ctx.kind() == Kind.THREAT) {
                if (!policy.organizations.isWithin(ctx.organization(), r.organization())) {
                    continue;
                }
                Iterable<ContextInstance> instances = fixed.isEmpty() ? contexts.empowering(subject) : contexts.of(ctx.name());
                for (ContextInstance i : instances) {
                    if (i.context().equals(ctx.name()) && (within(fixed, r.role()) || within(rolesIn(i, subject), r.role()))) {
                        out.add(new Candidate(r, subject, i));
                    }
                }
            } else {
                ContextInstance i = contexts.get(ctx.name());
                if (i != null && within(all, r.role())) {
                    out.add(new Candidate(r, subject, i));
                }
            }
        }
        return out;
    }

    private Set<String> rolesByMembership(String subject) {
        Set<String> out = new HashSet<>();
        policy.members.forEach((role, patterns) -> {
            for (SubjectPattern p : patterns) {
                if (p.matches(subject)) {
                    out.add(role);
                }
            }
        });
        return out;
    }

    private static Set<String> rolesIn(ContextInstance i, String subject) {
        Set<String> out = new HashSet<>();
        i.empowered().forEach((role, s) -> {
            if (s.equals(subject)) {
                out.add(role);
            }
        });
        return out;
    }

    private boolean within(Set<String> roles, String ruleRole) {
        for (String r : roles) {
            if (policy.roles.isWithin(r, ruleRole)) {
                return true;
            }
        }
        return false;
    }

    /** The concrete action {@code c} stands for (its rule must have an enforce). */
    static Action actionOf(Candidate c) {
        Policy.Enforcement e = c.rule().enforce();
        Map<String, String> vars = new HashMap<>(c.context().bindings());
        vars.put("subject", c.subject());
        vars.put("rule", c.rule().name());
        vars.put("context", c.context().context());
        String target = e.target().fill(vars);
        Map<String, String> params = new TreeMap<>();
        e.params().forEach((k, t) -> params.put(k, t.fill(vars)));
        return new Action(actionId(e.actuator(), e.op(), target, params), e.actuator(), e.op(), target, params,
                c.context().stamp() + e.duration().toMillis());
    }

    static String actionId(String actuator, String op, String target, Map<String, String> params) {
        StringBuilder id = new StringBuilder(actuator).append('/').append(op).append('/').append(target);
        if (!params.isEmpty()) {
            StringJoiner j = new StringJoiner("&", "?", "");
            params.forEach((k, v) -> j.add(k + "=" + v));
            id.append(j);
        }
        return id.toString();
    }

    /** The Or-BAC question: is {@code subject} permitted, prohibited or obliged to do {@code action} on {@code object}? */
    Decision decide(String subject, String action, String object) {
        List<Candidate> relevant = new ArrayList<>();
        List<Candidate> all = candidates(subject);
        for (Candidate c : all) {
            if (considered(c.rule().activity(), action, policy.activities, policy.actions)
                    && considered(c.rule().view(), object, policy.views, policy.objects)) {
                relevant.add(c);
            }
        }
        Candidate verdict = null;
        List<String> obligations = new ArrayList<>();
        for (Candidate c : relevant) {
            Rule r = c.rule();
            if (r.modality() == Modality.OBLIGATION) {
                if (overrider(c, all) == null) {
                    obligations.add(r.name());
                }
            } else if (verdict == null || r.priority() > verdict.rule().priority()
                    || r.priority() == verdict.rule().priority() && r.modality() == Modality.PROHIBITION) {
                verdict = c;
            }
        }
        Decision.Verdict v = verdict == null ? Decision.Verdict.NOT_APPLICABLE
                : verdict.rule().modality() == Modality.PROHIBITION ? Decision.Verdict.PROHIBITED : Decision.Verdict.PERMITTED;
        return new Decision(v, verdict == null ? null : verdict.rule().name(), List.copyOf(obligations));
    }

    /** True when the concrete {@code thing} (an action, an object) is considered within {@code abstractNode}. */
    private static boolean considered(String abstractNode, String thing, Hierarchy h, Map<String, Set<String>> concrete) {
        for (String node : h.names()) {
            if ((node.equals(thing) || concrete.getOrDefault(node, Set.of()).contains(thing)) && h.isWithin(node, abstractNode)) {
                return true;
            }
        }
        return false;
    }
}
