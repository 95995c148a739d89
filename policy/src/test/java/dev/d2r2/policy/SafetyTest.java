package dev.d2r2.policy;

import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.core.ManualClock;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.actuator.Actuator;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static org.assertj.core.api.Assertions.assertThat;

/** The guards: allow-list, rate per actuator, blast radius, dry run. */
class SafetyTest {

    private static Policy guarded(String actuator, String safety) {
        return Fixtures.blockFlooders("2m", actuator, safety);
    }

    @Test
    void subjectsOnTheAllowListAreNeverActedOn() {
        Harness h = new Harness(guarded("{ kind: log }", "{ allow: [\"127.0.0.0/8\", \"2001:db8::/32\", noc] }"));
        h.engine.accept(flood("a1", T0, "127.0.0.5", "e"));
        h.engine.accept(flood("a2", T0, "2001:db8::7", "e"));
        h.engine.accept(flood("a3", T0, "noc", "e"));
        h.engine.accept(flood("a4", T0, "128.0.0.1", "e"));
        assertThat(h.decisions()).containsExactly("refuse edge/block/127.0.0.5", "refuse edge/block/2001:db8::7",
                "refuse edge/block/noc", "deploy edge/block/128.0.0.1");
        assertThat(h.decisionEvents("refuse").getFirst().attrs()).containsEntry("reason", "allow-list: 127.0.0.5 matches 127.0.0.0/8");
        assertThat(h.calls.log()).containsExactly("deploy edge/block/128.0.0.1");
    }

    @Test
    void anActuatorTakesAtMostItsRateOfNewActionsAMinute() {
        Harness h = new Harness(guarded("{ kind: log, max-per-minute: 2 }", "{}"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "e"));
        h.engine.accept(flood("a2", T0 + 10_000, "192.0.2.2", "e"));
        h.engine.accept(flood("a3", T0 + 20_000, "192.0.2.3", "e"));
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1", "deploy edge/block/192.0.2.2",
                "refuse edge/block/192.0.2.3");
        assertThat(h.decisionEvents("refuse").getFirst().attrs().get("reason").toString()).startsWith("rate: 2 new actions");

        h.advance(Duration.ofSeconds(60));
        h.engine.accept(flood("a4", h.now(), "192.0.2.3", "e"));
        assertThat(h.decisions()).last().isEqualTo("deploy edge/block/192.0.2.3");
    }

    @Test
    void anActuatorAffectsAtMostMaxActiveTargetsAtOnce() {
        Harness h = new Harness(guarded("{ kind: log, max-active: 2 }", "{}"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "e"));
        h.engine.accept(flood("a2", T0, "192.0.2.2", "e"));
        h.engine.accept(flood("a3", T0, "192.0.2.3", "e"));
        assertThat(h.decisions()).last().isEqualTo("refuse edge/block/192.0.2.3");
        assertThat(h.decisionEvents("refuse").getFirst().attrs().get("reason").toString()).startsWith("blast radius: 2 targets");

        h.advance(Duration.ofMinutes(2));
        assertThat(h.engine.actions()).isEmpty();
        h.engine.accept(flood("a4", h.now(), "192.0.2.3", "e"));
        assertThat(h.decisions()).last().isEqualTo("deploy edge/block/192.0.2.3");
    }

    @Test
    void theShareOfThePopulationIsBoundedWithThePopulationTheActuatorReports() {
        Actuator eight = new Actuator() {
            @Override
            public void deploy(Action action) {
            }

            @Override
            public void revoke(Action action) {
            }

            @Override
            public OptionalInt population() {
                return OptionalInt.of(8);
            }
        };
        Harness h = new Harness(guarded("{ kind: log, max-share: 0.25 }", "{}"), null, Map.of("edge", eight));
        for (int i = 1; i <= 3; i++) {
            h.engine.accept(flood("a" + i, T0, "192.0.2." + i, "e"));
        }
        assertThat(h.decisions()).containsExactly("deploy edge/block/192.0.2.1", "deploy edge/block/192.0.2.2",
                "refuse edge/block/192.0.2.3");
        assertThat(h.decisionEvents("refuse").getFirst().attrs().get("reason").toString()).contains("2 of 8 targets");
    }

    @Test
    void aDryRunDecidesAndAuditsEverythingAndCallsNoActuator() {
        List<String> touched = new ArrayList<>();
        Actuator tripwire = new Actuator() {
            @Override
            public void deploy(Action action) {
                touched.add("deploy " + action.id());
            }

            @Override
            public void revoke(Action action) {
                touched.add("revoke " + action.id());
            }
        };
        ManualClock clock = new ManualClock(T0);
        List<Event> events = new ArrayList<>();
        PolicyEngine engine = new PolicyEngine(Fixtures.flooding(), clock, null, Map.of("sip-edge", tripwire), null, events::add);
        engine.start();
        engine.accept(flood("a1", T0, "198.51.100.7", "edge-1"));
        engine.accept(Fixtures.over(T0 + 1, "edge-1"));

        assertThat(engine.dryRun()).isTrue();
        assertThat(events).filteredOn(e -> e.type().equals(PolicyEvents.DECISION.name())).hasSize(4);
        assertThat(events).filteredOn(e -> e.type().equals(PolicyEvents.OUTCOME.name()))
                .extracting(e -> e.attrs().get("outcome")).containsOnly("dry-run").hasSize(4);
        assertThat(touched).isEmpty();
    }
}
