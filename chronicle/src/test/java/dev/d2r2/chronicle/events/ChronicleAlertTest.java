package dev.d2r2.chronicle.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChronicleAlertTest {

    @Test
    void anAlertRoundTripsThroughItsEvent() throws EventFormatException {
        ChronicleAlert alert = new ChronicleAlert("FloodingAttack#3", "FloodingAttack", 1_000, "edge-1", "SipFlooding",
                true, List.of("e1", "e2"), Map.of("edge", "edge-1", "since", 900L));
        Event e = alert.toEvent();
        assertThat(e.type()).isEqualTo("FloodingAttack");
        assertThat(e.attrs()).containsEntry(ChronicleEvents.CHRONICLE, "SipFlooding")
                .containsEntry(ChronicleEvents.UNCERTAIN, true).containsEntry(ChronicleEvents.EVENTS, "e1,e2");
        assertThat(ChronicleAlert.isAlert(e)).isTrue();
        assertThat(ChronicleAlert.from(e)).isEqualTo(alert);
    }

    @Test
    void anAlertWithoutEventsOrAttributesRoundTrips() throws EventFormatException {
        ChronicleAlert alert = new ChronicleAlert(null, "LinkDown", 5, null, "LinkDown", false, List.of(), Map.of());
        assertThat(ChronicleAlert.from(alert.toEvent())).isEqualTo(alert);
    }

    @Test
    void aMalformedAlertNamesWhatIsWrong() {
        Event noChronicle = Event.message("FloodingAttack", 1, "edge-1", Map.of("events", "e1"));
        assertThat(ChronicleAlert.isAlert(noChronicle)).isFalse();
        assertThatThrownBy(() -> ChronicleAlert.from(noChronicle)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("FloodingAttack").hasMessageContaining("'chronicle'");
        Event noUncertain = Event.message("FloodingAttack", 1, "edge-1", Map.of("chronicle", "C", "events", "e1"));
        assertThatThrownBy(() -> ChronicleAlert.from(noUncertain)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'uncertain'");
        Event badUncertain = Event.message("FloodingAttack", 1, "edge-1",
                Map.of("chronicle", "C", "events", "e1", "uncertain", "maybe"));
        assertThatThrownBy(() -> ChronicleAlert.from(badUncertain)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'uncertain' must be true or false");
    }
}
