package dev.d2r2.policy;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static org.assertj.core.api.Assertions.assertThat;

/** Each rule kind, the hierarchies, and how conflicts are resolved. */
class ConflictTest {

    @Test
    void theFloodingPolicyAnswersTheOrBacQuestionBeforeAndDuringAnAttack() {
        Harness h = new Harness(Fixtures.flooding());
        assertThat(h.engine.decide("198.51.100.7", "INVITE", "voip-service").verdict()).isEqualTo(Decision.Verdict.NOT_APPLICABLE);
        assertThat(h.engine.decide("10.9.4.4", "INVITE", "voip-service"))
                .isEqualTo(new Decision(Decision.Verdict.PERMITTED, "users-call", java.util.List.of()));

        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        assertThat(h.engine.decide("198.51.100.7", "INVITE", "voip-service"))
                .isEqualTo(new Decision(Decision.Verdict.PROHIBITED, "block-flooders", java.util.List.of()));
        assertThat(h.engine.decide("198.51.100.7", "REGISTER", "voip-service").verdict())
                .as("place-call does not cover register: the nominal permission stands").isEqualTo(Decision.Verdict.PERMITTED);
        assertThat(h.engine.decide("edge-1", "rate-limit", "attack-traffic").obligations()).containsExactly("edge-rate-limits-flooders");

        h.engine.accept(flood("a2", T0, "10.9.4.4", "edge-1"));
        assertThat(h.engine.decide("10.9.4.4", "INVITE", "voip-service"))
                .isEqualTo(new Decision(Decision.Verdict.PERMITTED, "operators-keep-calling", java.util.List.of()));
    }

    private static Policy twoRules(String first, String second) {
        return Fixtures.parse("""
                organizations: { isp: {} }
                roles: { attacker: {}, vip: {} }
                activities: { sip: {}, place-call: { parent: sip } }
                views: { voip: {} }
                contexts:
                  flooding:
                    kind: threat
                    when: { type: FloodingSuspect, bind: { attacker: attacker } }
                    empower: { attacker: "${attacker}" }
                    lifetime: 10m
                  vip-seen:
                    kind: threat
                    when: { type: VipLogin, bind: { user: src } }
                    empower: { vip: "${user}" }
                    lifetime: 1h
                rules:
                  - %s
                  - %s
                actuators: { edge: { kind: log } }
                """.formatted(first, second));
    }

    @Test
    void atEqualPriorityTheProhibitionWins() {
        Harness h = new Harness(twoRules(
                "{ name: allow, kind: permission, role: attacker, activity: sip, view: voip, context: flooding, priority: 5,"
                        + " enforce: { actuator: edge, op: allow, for: 1m } }",
                "{ name: block, kind: prohibition, role: attacker, activity: sip, view: voip, context: flooding, priority: 5,"
                        + " enforce: { actuator: edge, op: block, for: 1m } }"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1");
        assertThat(h.engine.decide("192.0.2.1", "place-call", "voip").verdict()).isEqualTo(Decision.Verdict.PROHIBITED);
    }

    @Test
    void aHigherPriorityPermissionThatCoversTheProhibitionWins() {
        Harness h = new Harness(twoRules(
                "{ name: allow, kind: permission, role: attacker, activity: sip, view: voip, context: flooding, priority: 6 }",
                "{ name: block, kind: prohibition, role: attacker, activity: place-call, view: voip, context: flooding, priority: 5,"
                        + " enforce: { actuator: edge, op: block, for: 1m } }"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(h.decisions()).isEmpty();
    }

    @Test
    void aPermissionOnANarrowerActivityDoesNotOverruleABroaderProhibition() {
        Harness h = new Harness(twoRules(
                "{ name: allow, kind: permission, role: attacker, activity: place-call, view: voip, context: flooding, priority: 9 }",
                "{ name: block, kind: prohibition, role: attacker, activity: sip, view: voip, context: flooding, priority: 5,"
                        + " enforce: { actuator: edge, op: block, for: 1m } }"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1");
    }

    @Test
    void aPermissionThatComesIntoForceRevokesTheActionItOverrules() {
        Harness h = new Harness(twoRules(
                "{ name: vip-calls, kind: permission, role: vip, activity: sip, view: voip, context: vip-seen, priority: 9 }",
                "{ name: block, kind: prohibition, role: attacker, activity: place-call, view: voip, context: flooding, priority: 5,"
                        + " enforce: { actuator: edge, op: block, for: 10m } }"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        h.engine.accept(Event.message("VipLogin", T0 + 1000, "portal", Map.of("src", "192.0.2.1")));
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1", "revoke edge/block/192.0.2.1");
        assertThat(h.decisionEvents("revoke").getFirst().attrs()).containsEntry("reason", "overruled by vip-calls");
    }

    @Test
    void anObligationYieldsToAProhibitionOfEqualPriorityButNotOfLower() {
        String obligation = "{ name: limit, kind: obligation, role: attacker, activity: sip, view: voip, context: flooding,"
                + " priority: 5, enforce: { actuator: edge, op: rate-limit, for: 1m } }";
        Harness equal = new Harness(twoRules(obligation,
                "{ name: no-touch, kind: prohibition, role: attacker, activity: sip, view: voip, context: flooding, priority: 5 }"));
        equal.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(equal.decisions()).isEmpty();
        assertThat(equal.engine.decide("192.0.2.1", "sip", "voip").obligations()).isEmpty();

        Harness lower = new Harness(twoRules(obligation,
                "{ name: no-touch, kind: prohibition, role: attacker, activity: sip, view: voip, context: flooding, priority: 4 }"));
        lower.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(lower.decisions()).containsExactly("deploy edge/rate-limit/192.0.2.1");
        assertThat(lower.engine.decide("192.0.2.1", "sip", "voip").obligations()).containsExactly("limit");
    }

    @Test
    void aRuleOfAParentOrganizationAppliesToContextsOfItsSubOrganizations() {
        Harness h = new Harness(Fixtures.parse("""
                organizations: { isp: {}, isp-eu: { parent: isp }, other: {} }
                roles: { attacker: {} }
                activities: { sip: {} }
                views: { voip: {} }
                contexts:
                  flooding-eu:
                    kind: threat
                    organization: isp-eu
                    when: { type: FloodingSuspect, bind: { attacker: attacker } }
                    empower: { attacker: "${attacker}" }
                    lifetime: 10m
                rules:
                  - { name: block, kind: prohibition, organization: isp, role: attacker, activity: sip, view: voip,
                      context: flooding-eu, enforce: { actuator: edge, op: block, for: 1m } }
                actuators: { edge: { kind: log } }
                """));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1");
    }
}
