package dev.d2r2.policy;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static dev.d2r2.policy.Fixtures.over;
import static org.assertj.core.api.Assertions.assertThat;

/** Lifetimes, renewals, clears and time windows, in virtual time. */
class ContextLifecycleTest {
    private static final String BLOCK = "sip-edge/block/198.51.100.7";

    private static Policy threat(String lifetime, String renew, String duration) {
        return Fixtures.parse("""
                organizations: { isp: {} }
                roles: { attacker: {} }
                activities: { place-call: {} }
                views: { voip: {} }
                contexts:
                  flooding:
                    kind: threat
                    when: { type: FloodingSuspect, bind: { attacker: attacker, edge: edge } }
                    empower: { attacker: "${attacker}" }
                    lifetime: %s
                    renew: %s
                    clear: [ { type: FloodingOver, bind: { edge: edge } } ]
                rules:
                  - { name: block, kind: prohibition, role: attacker, activity: place-call, view: voip, context: flooding,
                      enforce: { actuator: sip-edge, op: block, for: %s } }
                actuators: { sip-edge: { kind: log } }
                """.formatted(lifetime, renew, duration));
    }

    @Test
    void aRepeatedAlertRenewsTheContextAndExtendsTheSameActionOnce() {
        Harness h = new Harness(threat("10m", "true", "10m"));
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.advance(Duration.ofMinutes(1));
        h.engine.accept(flood("a2", h.now(), "198.51.100.7", "edge-1"));

        assertThat(h.contextChanges()).containsExactly("started nominal", "activated flooding{attacker=198.51.100.7,edge=edge-1}",
                "renewed flooding{attacker=198.51.100.7,edge=edge-1}");
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "extend " + BLOCK);
        assertThat(h.calls.calls).extracting(c -> c.action().id()).containsOnly(BLOCK);
        assertThat(h.calls.calls.getLast().action().expires()).isEqualTo(T0 + 60_000 + 600_000);
        assertThat(h.decisionEvents("extend").getFirst().attrs()).containsEntry("cause.id", "a2");

        h.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(h.engine.actions()).containsKey(BLOCK);
        h.advance(Duration.ofMillis(1));
        assertThat(h.engine.actions()).isEmpty();
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "extend " + BLOCK, "revoke " + BLOCK);
    }

    @Test
    void withoutRenewalARepeatedAlertChangesNothing() {
        Harness h = new Harness(threat("10m", "false", "10m"));
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.advance(Duration.ofMinutes(5));
        h.engine.accept(flood("a2", h.now(), "198.51.100.7", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK);
        h.advance(Duration.ofMinutes(5));
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "revoke " + BLOCK);
        assertThat(h.contextChanges()).last().isEqualTo("expired flooding{attacker=198.51.100.7,edge=edge-1}");
    }

    @Test
    void aClearEndsOnlyTheInstancesWithItsBindings() {
        Harness h = new Harness(threat("10m", "true", "10m"));
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.engine.accept(flood("a2", T0, "198.51.100.8", "edge-1"));
        h.engine.accept(flood("a3", T0, "203.0.113.9", "edge-2"));
        h.engine.accept(over(T0 + 1, "edge-1"));
        assertThat(h.engine.actions()).containsOnlyKeys("sip-edge/block/203.0.113.9");
        assertThat(h.engine.contexts()).extracting(ContextInstance::id)
                .containsExactlyInAnyOrder("nominal", "flooding{attacker=203.0.113.9,edge=edge-2}");
    }

    @Test
    void anActionShorterThanItsContextIsNotRedeployedUntilTheNextAlert() {
        Harness h = new Harness(threat("30m", "true", "5m"));
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.advance(Duration.ofMinutes(10));
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "revoke " + BLOCK);
        assertThat(h.decisionEvents("revoke").getFirst().attrs()).containsEntry("reason", "expired");
        assertThat(h.engine.contexts()).hasSize(2);

        h.engine.accept(flood("a2", h.now(), "198.51.100.7", "edge-1"));
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "revoke " + BLOCK, "deploy " + BLOCK);
        assertThat(h.engine.actions().get(BLOCK).expires()).isEqualTo(h.now() + 300_000);
    }

    @Test
    void aRecoveryAlarmOfTheSameEdgeClearsTheThreat() {
        Harness h = new Harness(Fixtures.parse("""
                organizations: { isp: {} }
                roles: { attacker: {} }
                activities: { place-call: {} }
                views: { voip: {} }
                contexts:
                  flooding:
                    kind: threat
                    when: { type: FloodingSuspect, bind: { attacker: attacker, edge: edge } }
                    empower: { attacker: "${attacker}" }
                    lifetime: 10m
                    clear: [ { type: sip.ingress_rate, to: ok, bind: { edge: source } } ]
                rules:
                  - { name: block, kind: prohibition, role: attacker, activity: place-call, view: voip, context: flooding,
                      enforce: { actuator: sip-edge, op: block, for: 10m } }
                actuators: { sip-edge: { kind: log } }
                """));
        h.engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        h.engine.accept(Event.state("sip.ingress_rate", T0 + 1, "edge-2", "critical", "ok", Map.of()));
        h.engine.accept(Event.state("sip.ingress_rate", T0 + 2, "edge-1", "ok", "critical", Map.of()));
        assertThat(h.engine.actions()).containsOnlyKeys(BLOCK);
        h.engine.accept(Event.state("sip.ingress_rate", T0 + 3, "edge-1", "critical", "ok", Map.of()));
        assertThat(h.engine.actions()).isEmpty();
        assertThat(h.contextChanges()).last().isEqualTo("cleared flooding{attacker=198.51.100.7,edge=edge-1}");
    }

    @Test
    void anAlertWithoutTheBoundAttributeActivatesNothing() {
        Harness h = new Harness(threat("10m", "true", "10m"));
        h.engine.accept(Event.message("FloodingSuspect", T0, "edge-1", Map.of("edge", "edge-1")));
        assertThat(h.contextChanges()).containsExactly("started nominal");
        assertThat(h.decisions()).isEmpty();
    }

    @Test
    void aTemporalContextStartsAndEndsWithItsWindowOvernight() {
        // T0 is Tuesday 2023-11-14 22:13:20 UTC.
        Harness h = new Harness(Fixtures.parse("""
                organizations: { isp: {} }
                roles: { registrar: { members: [registrar-1] } }
                activities: { limit-registrations: {} }
                views: { voip: {} }
                contexts:
                  night: { kind: temporal, days: [mon, tue, wed, thu, fri], from: "23:00", to: "01:00", zone: UTC }
                rules:
                  - { name: night-limits, kind: obligation, role: registrar, activity: limit-registrations, view: voip,
                      context: night, enforce: { actuator: edge, op: limit-registrations, params: { rate: 10/s }, for: 3h } }
                actuators: { edge: { kind: log } }
                """));
        assertThat(h.decisions()).isEmpty();
        h.advance(Duration.ofMinutes(46).plusSeconds(39));
        assertThat(h.decisions()).isEmpty();
        h.advance(Duration.ofSeconds(1));
        assertThat(h.contextChanges()).containsExactly("started nominal", "started night");
        assertThat(h.decisions()).containsExactly("deploy edge/limit-registrations/registrar-1?rate=10/s");
        h.advance(Duration.ofHours(2));
        assertThat(h.contextChanges()).last().isEqualTo("ended night");
        assertThat(h.decisions()).last().isEqualTo("revoke edge/limit-registrations/registrar-1?rate=10/s");
        assertThat(h.engine.nextDue()).isEqualTo(T0 + (46 * 60 + 40) * 1000L + 24 * 3_600_000L);
    }
}
