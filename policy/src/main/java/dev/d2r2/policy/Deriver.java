package dev.d2r2.policy;

import dev.d2r2.core.SubjectPattern;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.Policy.Kind;
import dev.d2r2.policy.Policy.Modality;
import dev.d2r2.policy.Policy.Rule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
 *
 * <p>Enforceable candidates are derived per context instance, so an alert costs work for the
 * instance it touches only; the rules that can overrule (permissions and prohibitions) are
 * looked up once per subject, one representative each — overruling depends on the rule, not on
 * which instance made it hold.
 */
final class Deriver {
    /** A rule applied to a subject in one context instance. */
    record Candidate(Rule rule, String subject, ContextInstance context) {
    }

    /** A concrete action some candidate asks for, and the candidate. */
    record Derived(Action action, Candidate by) {
    }

    /** What a subject is asked to bear within some context instances, and what was overruled (by whom). */
    record Derivation(List<Derived> actions, Map<Candidate, Candidate> overruled) {
    }

    private final Policy policy;
    private final ContextTable contexts;
    private final List<Rule> overruling = new ArrayList<>();
    private final List<Rule> obliging = new ArrayList<>();
    private final Map<String, List<Rule>> enforcedIn = new HashMap<>();

    Deriver(Policy policy, ContextTable contexts) {
        this.policy = policy;
        this.contexts = contexts;
        for (Rule r : policy.rules) {
            (r.modality() == Modality.OBLIGATION ? obliging : overruling).add(r);
            if (r.enforce() != null) {
                enforcedIn.computeIfAbsent(r.context(), k -> new ArrayList<>()).add(r);
            }
        }
    }

    /** Subjects named literally as role members: rules apply to them without an alert. */
    Set<String> literalMembers() {
        Set<String> out = new HashSet<>();
        policy.members.values().forEach(list -> list.stream().filter(p -> !p.isBlock()).forEach(p -> out.add(p.toString())));
        return out;
    }

    /** True for a subject that holds a role by static membership: every instance of a threat context holds for it. */
    boolean isMember(String subject) {
        return !rolesByMembership(subject).isEmpty();
    }

    /** The permissions and prohibitions that apply to {@code subject} now, one candidate per rule. */
    List<Candidate> overruling(String subject) {
        return applying(subject, overruling);
    }

    /** Which of {@code rules} apply to {@code subject} now: one candidate per rule, in a context instance that holds for it. */
    private List<Candidate> applying(String subject, List<Rule> rules) {
        Set<String> fixed = rolesByMembership(subject);
        Set<String> all = allRoles(subject, fixed);
        List<Candidate> out = new ArrayList<>();
        for (Rule r : rules) {
            Policy.Context ctx = policy.contexts.get(r.context());
            if (ctx.kind() != Kind.THREAT) {
                ContextInstance i = contexts.get(ctx.name());
                if (i != null && within(all, r.role())) {
                    out.add(new Candidate(r, subject, i));
                }
            } else if (policy.organizations.isWithin(ctx.organization(), r.organization())) {
                ContextInstance found = null;
                if (within(fixed, r.role())) {
                    found = first(contexts.of(ctx.name()));
                }
                if (found == null && within(contexts.rolesOf(subject, ctx.name()), r.role())) {
                    for (ContextInstance i : contexts.empowering(subject, ctx.name())) {
                        if (within(rolesIn(i, subject), r.role())) {
                            found = i;
                            break;
                        }
                    }
                }
                if (found != null) {
                    out.add(new Candidate(r, subject, found));
                }
            }
        }
        return out;
    }

    private static ContextInstance first(Collection<ContextInstance> c) {
        return c.isEmpty() ? null : c.iterator().next();
    }

    /** The actions the rules with an enforcement ask of {@code subject} within {@code scope}, against {@code overruling}. */
    Derivation derive(String subject, Collection<ContextInstance> scope, List<Candidate> overruling) {
        Set<String> fixed = rolesByMembership(subject);
        Set<String> all = null;
        List<Derived> actions = new ArrayList<>();
        Map<Candidate, Candidate> overruled = new HashMap<>();
        for (ContextInstance i : scope) {
            for (Rule r : enforcedIn.getOrDefault(i.context(), List.of())) {
                Policy.Context ctx = policy.contexts.get(r.context());
                boolean applies;
                if (ctx.kind() == Kind.THREAT) {
                    applies = policy.organizations.isWithin(ctx.organization(), r.organization())
                            && (within(fixed, r.role()) || within(rolesIn(i, subject), r.role()));
                } else {
                    all = all == null ? allRoles(subject, fixed) : all;
                    applies = within(all, r.role());
                }
                if (!applies) {
                    continue;
                }
                Candidate c = new Candidate(r, subject, i);
                Candidate winner = overrider(c, overruling);
                if (winner != null) {
                    overruled.put(c, winner);
                } else {
                    actions.add(new Derived(actionOf(c), c));
                }
            }
        }
        return new Derivation(actions, overruled);
    }

    /** Who prevails over {@code c} among {@code others}, or null when it is in force. */
    private Candidate overrider(Candidate c, List<Candidate> others) {
        Rule r = c.rule();
        for (Candidate o : others) {
            Rule q = o.rule();
            if (q == r || !covers(q, r)) {
                continue;
            }
            boolean wins = switch (r.modality()) {
                case PROHIBITION -> q.modality() == Modality.PERMISSION && q.priority() > r.priority();
                case PERMISSION -> q.modality() == Modality.PROHIBITION && q.priority() >= r.priority();
                case OBLIGATION -> q.modality() == Modality.PROHIBITION && q.priority() >= r.priority()
                        && overrider(o, others) == null;
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

    private Set<String> allRoles(String subject, Set<String> fixed) {
        Set<String> empowered = contexts.rolesOf(subject);
        if (empowered.isEmpty()) {
            return fixed;
        }
        Set<String> all = new HashSet<>(fixed);
        all.addAll(empowered);
        return all;
    }

    private Set<String> rolesByMembership(String subject) {
        Set<String> out = null;
        for (Map.Entry<String, List<SubjectPattern>> e : policy.members.entrySet()) {
            for (SubjectPattern p : e.getValue()) {
                if (p.matches(subject)) {
                    out = out == null ? new HashSet<>() : out;
                    out.add(e.getKey());
                }
            }
        }
        return out == null ? Set.of() : out;
    }

    private static Set<String> rolesIn(ContextInstance i, String subject) {
        Set<String> out = null;
        for (Map.Entry<String, String> e : i.empowered().entrySet()) {
            if (e.getValue().equals(subject)) {
                out = out == null ? new HashSet<>() : out;
                out.add(e.getKey());
            }
        }
        return out == null ? Set.of() : out;
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
        List<Candidate> over = overruling(subject);
        Candidate verdict = null;
        for (Candidate c : over) {
            Rule r = c.rule();
            if (relevant(r, action, object) && (verdict == null || r.priority() > verdict.rule().priority()
                    || r.priority() == verdict.rule().priority() && r.modality() == Modality.PROHIBITION)) {
                verdict = c;
            }
        }
        List<String> obligations = new ArrayList<>();
        for (Candidate c : applying(subject, obliging)) {
            if (relevant(c.rule(), action, object) && overrider(c, over) == null && !obligations.contains(c.rule().name())) {
                obligations.add(c.rule().name());
            }
        }
        Decision.Verdict v = verdict == null ? Decision.Verdict.NOT_APPLICABLE
                : verdict.rule().modality() == Modality.PROHIBITION ? Decision.Verdict.PROHIBITED : Decision.Verdict.PERMITTED;
        return new Decision(v, verdict == null ? null : verdict.rule().name(), List.copyOf(obligations));
    }

    private boolean relevant(Rule r, String action, String object) {
        return considered(r.activity(), action, policy.activities, policy.actions)
                && considered(r.view(), object, policy.views, policy.objects);
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
