package dev.d2r2.sip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every SIP event record survives toEvent → from, and a malformed event is refused naming what is wrong. */
class SipEventsTest {

    @Test
    void edgeBackendRoundTrips() throws EventFormatException {
        EdgeBackend b = new EdgeBackend(1_000, "127.0.0.1:5071", "up", "down", "3 answers 503 in a row", 12);
        assertThat(EdgeBackend.from(b.toEvent())).isEqualTo(b);
        EdgeBackend added = new EdgeBackend(1_000, "127.0.0.1:5072", EdgeBackend.previous("added"), "added", "weight 1.0", 0);
        assertThat(EdgeBackend.from(added.toEvent())).isEqualTo(added);
    }

    @Test
    void edgeTrafficRoundTrips() throws EventFormatException {
        EdgeTraffic t = new EdgeTraffic(1_000, "edge", Map.of("INVITE", 100.0, "BYE", 99.0), 199.0, Map.of(2, 198.0, 5, 1.0),
                199.0, 3.0, 42, Map.of("127.0.0.1:5071", 20L, "127.0.0.1:5072", 22L), 3, 1);
        assertThat(EdgeTraffic.from(t.toEvent())).isEqualTo(t);
        assertThat(t.toEvent().attrs()).containsEntry("in.INVITE", 100.0).containsEntry("out.2xx", 198.0)
                .containsEntry("dialogs.127.0.0.1:5071", 20L);
    }

    @Test
    void edgeSourceRoundTrips() throws EventFormatException {
        EdgeSource s = new EdgeSource(1_000, "127.1.1.9", 500.0, 480.0, 2.0);
        assertThat(EdgeSource.from(s.toEvent())).isEqualTo(s);
    }

    @Test
    void sourceRateRoundTrips() throws EventFormatException {
        SourceRate high = new SourceRate(1_000, "edge", SourceRate.HIGH, "127.1.1.9", 480.0);
        assertThat(SourceRate.from(high.toEvent())).isEqualTo(high);
        assertThat(high.toEvent().from()).isEqualTo(SourceRate.NORMAL);
    }

    @Test
    void edgeCommandsRoundTrip() throws EventFormatException {
        for (EdgeCommand c : new EdgeCommand[]{EdgeCommand.add(1, "ops", "127.0.0.1:5071", 2.0),
                EdgeCommand.remove(2, "ops", "127.0.0.1:5071"), EdgeCommand.drain(3, "ops", "127.0.0.1:5072")}) {
            assertThat(EdgeCommand.from(c.toEvent())).isEqualTo(c);
        }
    }

    @Test
    void serverDialogRoundTrips() throws EventFormatException {
        ServerDialog d = new ServerDialog(1_000, "s1", ServerDialog.Op.END, "a84b4c76e66710");
        assertThat(ServerDialog.from(d.toEvent())).isEqualTo(d);
    }

    @Test
    void malformedEventsAreRefusedWithTheTypeAndTheKey() {
        assertThatThrownBy(() -> EdgeCommand.from(Event.message(SipEvents.EDGE_COMMAND.name(), 1, "ops", Map.of(SipKeys.OP, "explode"))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("sip.edge.command").hasMessageContaining("explode");
        assertThatThrownBy(() -> EdgeCommand.from(Event.message(SipEvents.EDGE_COMMAND.name(), 1, "ops", Map.of(SipKeys.OP, "drain"))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("'backend'");
        assertThatThrownBy(() -> ServerDialog.from(Event.message(SipEvents.SERVER_DIALOG.name(), 1, "s1", Map.of(SipKeys.OP, "start"))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("sip.server.dialog").hasMessageContaining("'call'");
        assertThatThrownBy(() -> EdgeSource.from(Event.message(SipEvents.EDGE_SOURCE.name(), 1, "127.1.1.9",
                Map.of(SipKeys.RATE, "fast", SipKeys.INVITE_RATE, 1.0))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("'rate' must be a number");
        assertThatThrownBy(() -> SourceRate.from(Event.message(SipEvents.SOURCE_RATE.name(), 1, "edge", Map.of(SipKeys.SRC, "a"))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("state event");
        assertThatThrownBy(() -> EdgeBackend.from(Event.message(SipEvents.EDGE_TRAFFIC.name(), 1, "edge", Map.of())))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("expected a sip.edge.backend event");
    }
}
