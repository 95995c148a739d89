package dev.d2r2.app.web;

import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.policy.events.ActionDecision.Verdict;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the dashboard shows, from events as the roles publish them. */
class ObservatoryTest {
    @TempDir
    Path dir;

    private static Observatory observatory(Broker broker) {
        return new Observatory(broker.connectLocal(Broker.ADMIN), List.of());
    }

    @Test
    void anActionsCauseChainLeadsBackThroughItsContextAndAlertToTheAlarms() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            o.accept("alarms", new Event("alarms@7", "edge.d2r2_edge_invite_rate", 1_000, "sip-edge", "ok", "critical", Map.of()));
            o.accept("edge", new Event("edge@40", "sip.source_rate", 1_050, "edge", "normal", "high", Map.of("src", "127.1.1.9")));
            o.accept("alerts", new Event("alerts@3", "FloodingSuspect", 1_100, "127.1.1.9", null, null,
                    Map.of("chronicle", "FloodingSuspect", "events", "alarms@7,edge@40,#12")));
            o.accept("actions", PolicyEventsFixture.activated(1_120, "flooding#1", "alerts@3"));
            o.accept("actions", PolicyEventsFixture.decision(1_130, Verdict.DEPLOY, "sip-edge/block/127.1.1.9", "127.1.1.9",
                    "block-flooders", "flooding#1", "alerts@3"));
            o.accept("actions", PolicyEventsFixture.deployed(1_140, "sip-edge/block/127.1.1.9"));

            assertThat(o.timeline(0, 100)).extracting(Observatory.Entry::lane)
                    .containsExactly("alarms", "events", "alerts", "contexts", "actions", "actions");
            assertThat(o.audit(0, 100)).extracting(Observatory.Entry::type)
                    .containsExactly(PolicyEvents.CONTEXT.name(), PolicyEvents.DECISION.name(), PolicyEvents.OUTCOME.name());
            assertThat(o.actions()).singleElement().satisfies(a -> assertThat(a.source()).isEqualTo("sip-edge/block/127.1.1.9"));
            List<Map<String, Object>> chain = o.chain("sip-edge/block/127.1.1.9");
            assertThat(chain).extracting(l -> l.get("kind")).containsExactly("action", "context", "alert", "alarm", "event", "event");
            assertThat(chain).extracting(l -> l.get("id"))
                    .containsExactly("sip-edge/block/127.1.1.9", "flooding#1", "alerts@3", "alarms@7", "edge@40", "#12");
            assertThat(chain.getLast().get("entry")).as("a link it never saw is named, with no entry").isNull();
            assertThat(o.chain("nothing")).isNull();
        }
    }

    @Test
    void aFailedOutcomeLeadsTheCauseChainWithTheActuatorsReasonUntilACallSucceeds() throws Exception {
        String action = "scaler/scale-out/sip";
        String why = "http://127.0.0.1:8091/actions answered 502: sip-2 in remote did not come into service: no answer to SIP OPTIONS";
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            o.accept("scale", new Event("scale@4", "scale.load", 1_000, "sip", "ok", "overload", Map.of()));
            o.accept("actions", PolicyEventsFixture.activated(1_010, "overload{type=sip}", "scale@4"));
            o.accept("actions", PolicyEventsFixture.decision(1_020, Verdict.DEPLOY, action, "sip", "add-capacity",
                    "overload{type=sip}", "scale@4"));
            o.accept("actions", new ActionOutcome(1_030, action, ActionOutcome.Call.DEPLOY, ActionOutcome.Result.FAILED, 1, "scaler",
                    why, 2_030L).toEvent());

            List<Map<String, Object>> chain = o.chain(action);
            assertThat(chain).extracting(l -> l.get("kind")).containsExactly("action", "outcome", "context", "event");
            assertThat(((Observatory.Entry) chain.get(1).get("entry")).attrs()).containsEntry(ActionOutcome.ERROR, why);

            o.accept("actions", PolicyEventsFixture.deployed(2_100, action));
            assertThat(o.chain(action)).as("the retry succeeded").extracting(l -> l.get("kind")).containsExactly("action", "context", "event");
        }
    }

    @Test
    void theDiagnosisShowsEachGroupsLastWindowAndADrainsCauseChainEndsAtTheWindowThatIndicted() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            SickServerFixture.feed(o, 10_000);
            o.accept("diagnosis", new Event("diagnosis@13", "diagnosis.distances", 10_500, "sip", null, null,
                    Map.of("peers", "a b", "matrix", "0 1", "threshold", 0.2)));
            assertThat(o.malformed()).as("a ragged matrix is counted, not shown").isEqualTo(1);

            Map<String, Object> d = o.diagnosis();
            assertThat((List<?>) d.get("groups")).singleElement().satisfies(g -> {
                Map<?, ?> group = (Map<?, ?>) g;
                assertThat(group.get("group")).isEqualTo("sip");
                assertThat(group.get("time")).isEqualTo(10_000L);
                assertThat(group.get("peers")).isEqualTo(SickServerFixture.PEERS);
                assertThat(((double[][]) group.get("matrix"))[2][0]).isEqualTo(0.62);
                assertThat(((double[][]) group.get("histograms"))[2]).containsExactly(0.2, 0.1, 0.7);
            });
            assertThat((List<?>) d.get("indicted")).singleElement()
                    .satisfies(e -> assertThat(((Observatory.Entry) e).source()).isEqualTo(SickServerFixture.CULPRIT));
            assertThat(o.timeline(0, 100)).extracting(Observatory.Entry::lane)
                    .as("the verdict on the diagnosis lane; the windows are not on the timeline")
                    .containsExactly("diagnosis", "contexts", "actions", "actions");

            List<Map<String, Object>> chain = o.chain(SickServerFixture.DRAIN);
            assertThat(chain).extracting(l -> l.get("kind")).containsExactly("action", "context", "indictment", "distances");
            assertThat(chain).extracting(l -> l.get("id"))
                    .containsExactly(SickServerFixture.DRAIN, "indicted{server=" + SickServerFixture.CULPRIT + "}",
                            SickServerFixture.INDICTMENT, "diagnosis@11");

            o.accept("diagnosis", SickServerFixture.cleared(12_000));
            assertThat((List<?>) o.diagnosis().get("indicted")).as("cleared: no longer indicted").isEmpty();
        }
    }

    @Test
    void actionsComeMostRecentlyDecidedFirstAndARevokesCauseIsTheEventThatEndedItsContext() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            o.accept("actions", PolicyEventsFixture.decision(1_000, Verdict.DEPLOY, "sip-edge/block/a", "a", "r", "flooding", null));
            o.accept("actions", PolicyEventsFixture.decision(1_010, Verdict.DEPLOY, "sip-edge/block/b", "b", "r", "flooding", null));
            o.accept("edge", new Event("edge@90", "sip.source_rate", 2_000, "edge", "high", "normal", Map.of("src", "a")));
            o.accept("actions", PolicyEventsFixture.decision(2_010, Verdict.REVOKE, "sip-edge/block/a", "a", "r", "flooding",
                    "edge@90"));

            assertThat(o.actions()).extracting(Observatory.Entry::source).containsExactly("sip-edge/block/a", "sip-edge/block/b");
            assertThat(o.chain("sip-edge/block/a")).extracting(l -> l.get("kind")).containsExactly("action", "context", "event");
        }
    }

    @Test
    void aBackendAddedIsUpAndAWeightChangeKeepsItsState() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            o.accept("edge", Event.state("sip.edge.backend", 1_000, "127.0.0.1:5072", null, "added", Map.of()));
            o.accept("edge", Event.state("sip.edge.backend", 1_100, "127.0.0.1:5073", null, "down", Map.of()));
            o.accept("edge", Event.state("sip.edge.backend", 1_200, "127.0.0.1:5073", null, "weight", Map.of()));
            o.accept("edge", Event.state("sip.edge.backend", 1_300, "127.0.0.1:5072", null, "weight", Map.of()));
            assertThat(o.servers()).extracting(Observatory.Server::id, Observatory.Server::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:5072", "up"),
                            org.assertj.core.groups.Tuple.tuple("127.0.0.1:5073", "down"));
        }
    }

    @Test
    void theServiceMapAndHeatMapFollowTheEdgesTelemetryAndBackendChanges() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            o.accept("edge", Event.message("sip.edge.traffic", 10_000, "edge", Map.of("in", 12.0, "dialogs.127.0.0.1:5070", 4L,
                    "dialogs.127.0.0.1:5071", 6L)));
            o.accept("edge", Event.state("sip.edge.backend", 10_500, "127.0.0.1:5071", null, "down", Map.of("why", "probes")));
            o.accept("edge", Event.message("sip.edge.traffic", 11_000, "edge", Map.of("in", 10.0, "dialogs.127.0.0.1:5070", 7L,
                    "dialogs.127.0.0.1:5071", 0L)));
            assertThat(o.servers()).extracting(Observatory.Server::id, Observatory.Server::state, Observatory.Server::dialogs)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1:5070", "up", 7L),
                            org.assertj.core.groups.Tuple.tuple("127.0.0.1:5071", "down", 0L));
            assertThat(o.traffic()).containsEntry("in", 10.0);
            Map<String, Object> heat = o.heat("dialogs");
            assertThat(heat.get("seconds")).isEqualTo(List.of(10_000L, 11_000L));
            assertThat(heat.get("rows")).isEqualTo(Map.of("127.0.0.1:5070", List.of(4.0, 7.0), "127.0.0.1:5071", List.of(6.0, 0.0)));
            assertThat(((Map<?, ?>) o.heat("up").get("rows")).get("127.0.0.1:5071")).isEqualTo(List.of(1.0, 0.0));
            assertThat(o.timeline(0, 100)).singleElement().satisfies(e -> assertThat(e.lane()).isEqualTo("services"));
        }
    }

    @Test
    void theTimelineKeepsOnlyItsNewestEntries() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system()); Observatory o = observatory(broker)) {
            for (int i = 0; i < Observatory.TIMELINE + 10; i++) {
                o.accept("alarms", Event.state("m", i, "s", "ok", i % 2 == 0 ? "critical" : "ok", Map.of()));
            }
            List<Observatory.Entry> all = o.timeline(0, Integer.MAX_VALUE);
            assertThat(all).hasSize(Observatory.TIMELINE);
            assertThat(all.getFirst().seq()).isEqualTo(11);
            assertThat(o.timeline(all.getLast().seq() - 3, 2)).extracting(Observatory.Entry::seq)
                    .containsExactly(all.getLast().seq() - 2, all.getLast().seq() - 1);
        }
    }
}
