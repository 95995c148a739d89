package dev.d2r2.app.replay;

import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Diff} on outputs made by hand: what is matched with what, and how each difference is labelled. */
class ReplayDiffTest {
    private static Output alert(long at, String id, String source) {
        return Output.of(at, Output.Kind.ALERT, new ChronicleAlert(id, "FloodingSuspect", at, source, "FloodingSuspect", false,
                List.of("alarms#1"), Map.of("src", source)).toEvent(), false);
    }

    private static Output decision(long at, ActionDecision.Verdict verdict, String target, String reason, String cause) {
        Action a = new Action("sip-edge/block/" + target, "sip-edge", "block", target, Map.of(), at + 120_000);
        return Output.of(at, Output.Kind.DECISION, new ActionDecision(at, verdict, a, at, "block-flooders", "prohibition", target,
                new ContextId("flooding", Map.of("attacker", target)), reason,
                new Cause(cause, "FloodingSuspect", target, "FloodingSuspect", "alarms#1")).toEvent(), false);
    }

    @Test
    void theSameOutputsAtTheSameTimesAreNoChangeWhateverTheirIds() throws Exception {
        List<Output> run = List.of(alert(1000, "FloodingSuspect#1", "10.0.0.1"),
                decision(1000, ActionDecision.Verdict.DEPLOY, "10.0.0.1", null, "FloodingSuspect#1"));
        List<Output> again = List.of(alert(1000, "FloodingSuspect#7", "10.0.0.1"),
                decision(1000, ActionDecision.Verdict.DEPLOY, "10.0.0.1", null, "FloodingSuspect#7"));
        assertThat(Diff.compare(run, again)).isEmpty();
    }

    @Test
    void differencesAreLostGainedEarlierOrLaterEachWithItsCauseChain() throws Exception {
        List<Output> before = List.of(alert(1000, "FloodingSuspect#1", "10.0.0.1"), alert(1000, "FloodingSuspect#2", "10.0.0.2"),
                decision(1000, ActionDecision.Verdict.DEPLOY, "10.0.0.1", null, "FloodingSuspect#1"),
                decision(1000, ActionDecision.Verdict.DEPLOY, "10.0.0.2", null, "FloodingSuspect#2"));
        List<Output> after = List.of(alert(3000, "FloodingSuspect#1", "10.0.0.1"), alert(1000, "FloodingSuspect#2", "10.0.0.2"),
                decision(3000, ActionDecision.Verdict.DEPLOY, "10.0.0.1", null, "FloodingSuspect#1"),
                decision(1000, ActionDecision.Verdict.REFUSE, "10.0.0.2", "blast radius: 1 of 1000 targets", "FloodingSuspect#2"));
        List<Diff.Change> changes = Diff.compare(before, after);
        assertThat(changes).extracting(c -> c.change() + " " + c.kind().key() + " " + c.key()).containsExactly(
                "later alert FloodingSuspect 10.0.0.1 {src=10.0.0.1} (FloodingSuspect)",
                "later decision deploy sip-edge/block/10.0.0.1",
                "lost decision deploy sip-edge/block/10.0.0.2",
                "gained decision refuse sip-edge/block/10.0.0.2 (blast radius: 1 of 1000 targets)");
        Diff.Change refused = changes.get(3);
        assertThat(refused.blastRadius()).isTrue();
        assertThat(refused.json()).contains("\"change\":\"gained\"", "\"blast_radius\":true", "\"before\":null",
                "\"cause\":[{\"at\":1000,\"kind\":\"alert\"");
        assertThat(changes.get(2).blastRadius()).isFalse();
        assertThat(changes.get(1).json()).contains("\"by_ms\":2000", "\"cause\":[{\"at\":3000,\"kind\":\"alert\"");
        assertThat(Diff.summary(changes)).containsExactly(Map.entry("alert later", 1), Map.entry("decision later", 1),
                Map.entry("decision lost", 1), Map.entry("decision gained", 1));
    }
}
