package dev.d2r2.diagnosis.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The diagnosis events read back as written, through the wire format; the catalogue's examples decode; malformed ones are refused. */
class DiagnosisEventsTest {
    private static Event wire(Event e) throws EventFormatException {
        return EventCodec.decode(EventCodec.encodeToString(e));
    }

    @Test
    void eachEventRoundTrips() throws EventFormatException {
        PeerIndicted i = new PeerIndicted(1_000, "s1", "sip", 0.68, 0.31, 4, 5, 5.2, "os.cpu_user_pct", 2);
        assertThat(PeerIndicted.from(wire(i.toEvent()))).isEqualTo(i);
        PeerCleared c = new PeerCleared(2_000, "s1", "sip");
        assertThat(PeerCleared.from(wire(c.toEvent()))).isEqualTo(c);
        CannotVote v = new CannotVote(3_000, "sip", "2 peers can vote");
        assertThat(CannotVote.from(wire(v.toEvent()))).isEqualTo(v);
        DistanceMatrix m = new DistanceMatrix(4_000, "sip", List.of("s1", "s2", "s3"),
                new double[][]{{0, 0.05, 0.68}, {0.05, 0, 0.66}, {0.68, 0.66, 0}}, 0.31,
                new double[][]{{0.9, 0.1, 0}, {0.85, 0.15, 0}, {0.1, 0.05, 0.85}});
        DistanceMatrix back = DistanceMatrix.from(wire(m.toEvent()));
        assertThat(back.peers()).isEqualTo(m.peers());
        assertThat(back.distances()).isDeepEqualTo(m.distances());
        assertThat(back.threshold()).isEqualTo(0.31);
        assertThat(back.histograms()).isDeepEqualTo(m.histograms());
        DistanceMatrix bare = new DistanceMatrix(4_000, "sip", m.peers(), m.distances(), 0.31, new double[0][]);
        assertThat(bare.toEvent().attrs()).doesNotContainKey("histograms");
        assertThat(DistanceMatrix.from(wire(bare.toEvent())).histograms()).as("histograms are optional").isEmpty();
    }

    @Test
    void theCataloguesExamplesAreEventsOfTheirType() throws EventFormatException {
        for (var t : new DiagnosisEvents().types()) {
            assertThat(t.matches(EventCodec.decode(t.example()).type())).as(t.name()).isTrue();
        }
        PeerIndicted.from(EventCodec.decode(DiagnosisEvents.INDICTED.example()));
        DistanceMatrix.from(EventCodec.decode(DiagnosisEvents.DISTANCES.example()));
    }

    @Test
    void aMalformedMatrixOrAMissingAttributeIsRefused() {
        Event ragged = Event.message(DistanceMatrix.TYPE, 1, "sip", Map.of("peers", "a b", "matrix", "0 1;1", "threshold", 0.3));
        assertThatThrownBy(() -> DistanceMatrix.from(ragged)).isInstanceOf(EventFormatException.class).hasMessageContaining("row");
        Event words = Event.message(DistanceMatrix.TYPE, 1, "sip", Map.of("peers", "a b", "matrix", "0 x;1 0", "threshold", 0.3));
        Event unevenBins = Event.message(DistanceMatrix.TYPE, 1, "sip", Map.of("peers", "a b", "matrix", "0 1;1 0", "threshold", 0.3,
                "histograms", "0.5 0.5;1"));
        assertThatThrownBy(() -> DistanceMatrix.from(unevenBins)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("histograms row");
        assertThatThrownBy(() -> DistanceMatrix.from(words)).isInstanceOf(EventFormatException.class).hasMessageContaining("not a number");
        Event bare = Event.message(PeerIndicted.TYPE, 1, "s1", Map.of("group", "sip"));
        assertThatThrownBy(() -> PeerIndicted.from(bare)).isInstanceOf(EventFormatException.class);
        assertThatThrownBy(() -> PeerCleared.from(new PeerIndicted(1, "s1", "g", 0, 0, 0, 0, 0, "m", 0).toEvent()))
                .isInstanceOf(EventFormatException.class);
    }
}
