package dev.d2r2.policy.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Action;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy's events read back as they were written, through the wire format; malformed ones are refused clearly. */
class PolicyEventsTest {
    private static final Cause ALERT = new Cause("a1", "FloodingAttack", "edge-1", "sip_flooding", "e1,e2");
    private static final ContextId FLOODING = new ContextId("flooding", Map.of("attacker", "198.51.100.7"));

    private static Event wire(Event e) throws EventFormatException {
        return EventCodec.decode(EventCodec.encodeToString(e));
    }

    @Test
    void aContextChangeRoundTrips() throws EventFormatException {
        ContextChange c = new ContextChange(1_000, FLOODING, ContextChange.Change.ACTIVATED, 1_000, 601_000,
                Map.of("attacker", "198.51.100.7"), ALERT);
        Event e = wire(c.toEvent());
        assertThat(e.source()).isEqualTo("flooding{attacker=198.51.100.7}");
        assertThat(e.from()).isEqualTo("inactive");
        assertThat(e.to()).isEqualTo("active");
        assertThat(ContextChange.from(e)).isEqualTo(c);
    }

    @Test
    void aContextWithoutLifetimeOrCauseRoundTrips() throws EventFormatException {
        ContextChange c = new ContextChange(5, ContextId.of("nominal"), ContextChange.Change.STARTED, 5, ContextChange.NEVER,
                Map.of(), null);
        assertThat(c.toEvent().attrs()).doesNotContainKey(ContextChange.EXPIRES);
        assertThat(ContextChange.from(wire(c.toEvent()))).isEqualTo(c);
    }

    @Test
    void aDecisionRoundTrips() throws EventFormatException {
        Action a = new Action("sip-edge/rate-limit/198.51.100.7?rate=5/s", "sip-edge", "rate-limit", "198.51.100.7",
                Map.of("rate", "5/s"), 601_000);
        ActionDecision d = new ActionDecision(1_000, ActionDecision.Verdict.REVOKE, a, 1_000, "edge-rate-limits-flooders",
                "obligation", "edge-1", FLOODING, ActionDecision.CONTEXT_ENDED, ALERT);
        Event e = wire(d.toEvent());
        assertThat(e.attrs()).containsEntry("param.rate", "5/s");
        assertThat(ActionDecision.from(e)).isEqualTo(d);
        assertThat(ActionDecision.from(e).cause().eventIds()).containsExactly("e1", "e2");
    }

    @Test
    void anOutcomeRoundTrips() throws EventFormatException {
        ActionOutcome failed = new ActionOutcome(2_000, "sip-edge/block/x", ActionOutcome.Call.DEPLOY, ActionOutcome.Result.FAILED,
                2, "sip-edge", "timeout", 4_000L);
        ActionOutcome ok = new ActionOutcome(2_000, "sip-edge/block/x", ActionOutcome.Call.REVOKE, ActionOutcome.Result.DRY_RUN,
                1, "sip-edge", null, null);
        assertThat(ActionOutcome.from(wire(failed.toEvent()))).isEqualTo(failed);
        assertThat(ActionOutcome.from(wire(ok.toEvent()))).isEqualTo(ok);
    }

    @Test
    void everyExampleOfTheCatalogueReadsAsItsRecord() throws EventFormatException {
        assertThat(ContextChange.from(EventCodec.decode(PolicyEvents.CONTEXT.example())).change())
                .isEqualTo(ContextChange.Change.STARTED);
        assertThat(ActionDecision.from(EventCodec.decode(PolicyEvents.DECISION.example())).context()).isEqualTo(
                new ContextId("flooding", Map.of("attacker", "198.51.100.7", "edge", "edge-1")));
        assertThat(ActionOutcome.from(EventCodec.decode(PolicyEvents.OUTCOME.example())).result())
                .isEqualTo(ActionOutcome.Result.OK);
    }

    @Test
    void malformedEventsAreRefusedWithTheTypeAndKey() {
        Event noStamp = Event.state("policy.context", 1, "flooding", "inactive", "active", Map.of("context", "flooding",
                "change", "activated"));
        assertThatThrownBy(() -> ContextChange.from(noStamp)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("policy.context").hasMessageContaining("'stamp'");
        Event badChange = Event.state("policy.context", 1, "f", "inactive", "active", Map.of("context", "f", "change", "exploded",
                "stamp", 1L));
        assertThatThrownBy(() -> ContextChange.from(badChange)).hasMessageContaining("unknown change exploded");
        Event notState = Event.message("policy.context", 1, "f", Map.of());
        assertThatThrownBy(() -> ContextChange.from(notState)).hasMessageContaining("must be a state event");
        Event wrongType = Event.message("policy.outcome", 1, "x", Map.of());
        assertThatThrownBy(() -> ActionDecision.from(wrongType)).hasMessageContaining("expected a policy.decision event");
        Event badExpiry = Event.message("policy.decision", 1, "x", Map.of("decision", "deploy", "actuator", "a", "op", "o",
                "target", "t", "expires", "soon"));
        assertThatThrownBy(() -> ActionDecision.from(badExpiry)).hasMessageContaining("'expires' must be an integer");
        Event badOutcome = Event.message("policy.outcome", 1, "x", Map.of("call", "deploy", "outcome", "maybe", "attempt", 1L,
                "actuator", "a"));
        assertThatThrownBy(() -> ActionOutcome.from(badOutcome)).hasMessageContaining("unknown outcome maybe");
    }

    @Test
    void aContextIdThatIsNotWellFormedIsRefused() {
        assertThatThrownBy(() -> ContextId.parse("flooding{attacker")).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("flooding{attacker");
        assertThatThrownBy(() -> ContextId.parse("f{a=b}x")).hasMessageContaining("text after '}'");
        assertThatThrownBy(() -> ContextId.parse("{a=b}")).hasMessageContaining("no context name");
    }

    @Property
    void everyContextIdReadsBackAsWritten(@ForAll @StringLength(min = 1, max = 12) String name,
                                          @ForAll Map<@StringLength(max = 6) String, String> params) throws EventFormatException {
        ContextId id = new ContextId(name, new LinkedHashMap<>(params));
        assertThat(ContextId.parse(id.id())).isEqualTo(id);
    }
}
