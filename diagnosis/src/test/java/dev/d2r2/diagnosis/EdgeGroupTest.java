package dev.d2r2.diagnosis;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.events.CannotVote;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
import dev.d2r2.sip.events.EdgeTraffic;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The group {@code backends} taken from the edge's telemetry, not from configuration: nothing to
 * vote on before the edge speaks or while it has fewer than 3 backends, and said so; then its
 * backends vote (a peer that is not one of them is not watched once the edge has spoken), and a
 * culprit among them is indicted.
 */
class EdgeGroupTest {
    private static final int PEERS = 5;

    private static Event traffic(long time, List<String> backends) {
        Map<String, Long> dialogs = new LinkedHashMap<>();
        backends.forEach(b -> dialogs.put(b, 3L));
        return new EdgeTraffic(time, "edge", Map.of(), 0, Map.of(), 0, 0, 3L * backends.size(), dialogs, 0, 0).toEvent();
    }

    @Test
    void theEdgesBackendsAreAGroupOfAtLeastThreeWhoseCulpritIsIndicted() throws EventFormatException {
        Profiles profiles = Trainer.train(new Synthetic(PEERS, 11, 0.03).samples(60, -1, 0), Synthetic.request(3)).profiles();
        DiagnosisStage stage = new DiagnosisStage(new DiagnosisConfig("profiles.json", null, null, null, null, "edge", null), profiles);
        assertThat(stage.wants("sip.edge.traffic")).isTrue();
        List<Sample> live = new Synthetic(PEERS, 12, 0.03).samples(30, 15, 300);
        List<Event> out = new ArrayList<>();
        List<String> backends = List.of("s1", "s2", "s3", "s4");
        int i = 0;
        for (int w = 0; w < 30; w++) {
            long end = (w + 1) * Synthetic.WINDOW_MS;
            if (w == 2) {
                assertThat(stage.accept(traffic(end - 1_000, backends.subList(0, 2)))).isEqualTo(DiagnosisStage.Taken.BACKENDS);
            } else if (w == 4) {
                stage.accept(traffic(end - 1_000, backends));
            }
            while (i < live.size() && live.get(i).time() < end) {
                Sample s = live.get(i++);
                DiagnosisStage.Taken taken = stage.accept(s.toEvent());
                if (s.service().equals("s5")) {
                    assertThat(taken).as("s5 may be a backend until the edge says it is not")
                            .isEqualTo(w < 2 ? DiagnosisStage.Taken.TAKEN : DiagnosisStage.Taken.NOT_WATCHED);
                }
            }
            stage.close(end + 2_000, out::add);
        }
        List<String> reasons = new ArrayList<>();
        for (Event e : out) {
            if (e.type().equals(CannotVote.TYPE)) {
                reasons.add(CannotVote.from(e).reason());
            }
        }
        assertThat(reasons).first().asString().startsWith("no backend set from the edge yet");
        assertThat(reasons).anySatisfy(r -> assertThat(r).isEqualTo("the edge has 2 backends; at least 3 are needed"));
        List<Event> matrices = out.stream().filter(e -> e.type().equals(DistanceMatrix.TYPE)).toList();
        assertThat(matrices).isNotEmpty().allSatisfy(e -> {
            assertThat(e.source()).isEqualTo(DiagnosisConfig.BACKENDS);
            assertThat(DistanceMatrix.from(e).peers()).isSubsetOf(backends);
        });
        List<Event> indicted = out.stream().filter(e -> e.type().equals(PeerIndicted.TYPE)).toList();
        assertThat(indicted).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("s1");
            assertThat(PeerIndicted.from(e).group()).isEqualTo(DiagnosisConfig.BACKENDS);
            assertThat((e.time() / Synthetic.WINDOW_MS) - 15).as("windows from the fault to the indictment").isBetween(1L, 3L);
        });
    }

    @Test
    void theBackendsGroupNeedsAChannelAndItsNameIsTaken() {
        assertThatThrownBy(() -> new DiagnosisConfig("p.json", null, null, null, null, " ", null))
                .hasMessageContaining("backends names the edge's telemetry channel");
        assertThatThrownBy(() -> new DiagnosisConfig("p.json", null, null, null, Map.of("backends", List.of("a", "b", "c")), "edge", null))
                .hasMessageContaining("group backends is the edge's backend set");
        assertThat(new DiagnosisConfig("p.json", null, null, null, Map.of("sip", List.of("a", "b", "c")), "edge", null).inputs())
                .containsExactly("metrics", "edge");
    }
}
