package dev.d2r2.policy;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionDecision.Verdict;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.PolicyEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static dev.d2r2.policy.Fixtures.over;
import static org.assertj.core.api.Assertions.assertThat;

/** Every revoke leads back to the alert behind the action, or to the event that ended its context, live and in the trail. */
class RevokeCauseTest {
    private static final String BLOCK = "edge/block/192.0.2.1";
    private static final Cause A1 = new Cause("a1", "FloodingSuspect", "edge-1", "sip_flooding", "e1,e2,e3");

    @TempDir
    Path dir;

    /** Blocks a flooder for {@code duration} while its context (lifetime {@code lifetime}) holds; a VIP's calls overrule it. */
    private static Policy policy(String lifetime, String duration) {
        return Fixtures.parse("""
                organizations: { isp: {} }
                roles: { attacker: {}, vip: {} }
                activities: { sip: {}, place-call: { parent: sip } }
                views: { voip: {} }
                contexts:
                  flooding:
                    kind: threat
                    when: { type: FloodingSuspect, bind: { attacker: attacker, edge: edge } }
                    empower: { attacker: "${attacker}" }
                    lifetime: %s
                    clear: [ { type: FloodingOver, bind: { edge: edge } } ]
                  vip-seen:
                    kind: threat
                    when: { type: VipLogin, bind: { user: src } }
                    empower: { vip: "${user}" }
                    lifetime: 1h
                rules:
                  - { name: vip-calls, kind: permission, role: vip, activity: sip, view: voip, context: vip-seen, priority: 9 }
                  - { name: block, kind: prohibition, role: attacker, activity: place-call, view: voip, context: flooding,
                      priority: 5, enforce: { actuator: edge, op: block, for: %s } }
                actuators: { edge: { kind: log } }
                """.formatted(lifetime, duration));
    }

    @Test
    void aRevokeAtExpiryCarriesTheCauseOfTheDeployItRevokes() throws Exception {
        Harness h = new Harness(policy("1h", "2m"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        h.advance(Duration.ofMinutes(2));

        ActionDecision revoke = onlyRevoke(h.events);
        assertThat(revoke.reason()).isEqualTo(ActionDecision.EXPIRED);
        assertThat(revoke.cause()).isEqualTo(A1);
        assertThat(revoke.cause().eventIds()).containsExactly("e1", "e2", "e3");
    }

    @Test
    void aRevokeAtExpiryAfterAnExtensionCarriesTheCauseOfTheExtension() throws Exception {
        Harness h = new Harness(policy("1h", "2m"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        h.advance(Duration.ofMinutes(1));
        h.engine.accept(flood("a2", h.now(), "192.0.2.1", "edge-1"));
        h.advance(Duration.ofMinutes(2));

        assertThat(h.decisions()).containsExactly("deploy " + BLOCK, "extend " + BLOCK, "revoke " + BLOCK);
        ActionDecision revoke = onlyRevoke(h.events);
        assertThat(revoke.reason()).isEqualTo(ActionDecision.EXPIRED);
        assertThat(revoke.cause().id()).isEqualTo("a2");
    }

    @Test
    void aRevokeByAnOverrulingRuleCarriesTheCauseOfTheDeployItRevokes() throws Exception {
        Harness h = new Harness(policy("1h", "10m"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        h.engine.accept(Event.message("VipLogin", T0 + 1000, "portal", Map.of("src", "192.0.2.1")));

        ActionDecision revoke = onlyRevoke(h.events);
        assertThat(revoke.reason()).isEqualTo(ActionDecision.overruledBy("vip-calls"));
        assertThat(revoke.cause()).isEqualTo(A1);
    }

    @Test
    void aRevokeWhenTheContextEndsCarriesTheEventThatEndedIt() throws Exception {
        Harness cleared = new Harness(policy("1h", "10m"));
        cleared.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        cleared.engine.accept(over(T0 + 1000, "edge-1"));
        ActionDecision byClear = onlyRevoke(cleared.events);
        assertThat(byClear.reason()).isEqualTo(ActionDecision.CONTEXT_ENDED);
        assertThat(byClear.cause().type()).isEqualTo("FloodingOver");

        Harness lapsed = new Harness(policy("5m", "10m"));
        lapsed.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        lapsed.advance(Duration.ofMinutes(5));
        ActionDecision byLifetime = onlyRevoke(lapsed.events);
        assertThat(byLifetime.reason()).isEqualTo(ActionDecision.CONTEXT_ENDED);
        assertThat(byLifetime.cause()).as("the alert that activated the context that ran out").isEqualTo(A1);
    }

    @Test
    void theAuditTrailCarriesTheCauseOfARevokeAtExpiryAlsoAfterARestart() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        try (AuditLog audit = AuditLog.open(trail)) {
            Harness h = new Harness(policy("1h", "2m"), audit, Map.of(), T0, List.of());
            h.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
            h.advance(Duration.ofMinutes(2));
        }
        assertThat(onlyRevoke(read(trail)).cause()).isEqualTo(A1);

        Path second = dir.resolve("second.jsonl");
        try (AuditLog audit = AuditLog.open(second)) {
            Harness first = new Harness(policy("1h", "2m"), audit, Map.of(), T0, List.of());
            first.engine.accept(flood("a1", T0, "192.0.2.1", "edge-1"));
        }
        List<Event> before = read(second);
        try (AuditLog audit = AuditLog.open(second)) {
            Harness restarted = new Harness(policy("1h", "2m"), audit, Map.of(), T0 + 60_000, before);
            restarted.advance(Duration.ofMinutes(1));
            assertThat(onlyRevoke(restarted.events).cause()).as("the cause comes back from the trail").isEqualTo(A1);
        }
        assertThat(onlyRevoke(read(second)).cause()).isEqualTo(A1);
    }

    private static List<Event> read(Path trail) throws Exception {
        List<String> bad = new ArrayList<>();
        List<Event> events = AuditLog.read(trail, bad::add);
        assertThat(bad).isEmpty();
        return events;
    }

    private static ActionDecision onlyRevoke(List<Event> events) throws EventFormatException {
        List<ActionDecision> revokes = new ArrayList<>();
        for (Event e : events) {
            if (PolicyEvents.DECISION.matches(e.type())) {
                ActionDecision d = ActionDecision.from(e);
                if (d.verdict() == Verdict.REVOKE) {
                    revokes.add(d);
                }
            }
        }
        assertThat(revokes).hasSize(1);
        return revokes.getFirst();
    }
}
