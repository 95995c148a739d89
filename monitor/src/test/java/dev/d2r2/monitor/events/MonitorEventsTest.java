package dev.d2r2.monitor.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The monitor's events read back as they were written, through the wire format; malformed ones are refused clearly. */
class MonitorEventsTest {
    private static Event wire(Event e) throws EventFormatException {
        return EventCodec.decode(EventCodec.encodeToString(e));
    }

    @Test
    void aSampleRoundTrips() throws EventFormatException {
        Sample s = new Sample(Sample.metric("tcp", "connect_ms"), 1_000, "sip-gw-1", 0.42, "mon-a");
        assertThat(s.toEvent().type()).isEqualTo("tcp.connect_ms");
        assertThat(Sample.from(wire(s.toEvent()))).isEqualTo(s);
        Sample alone = new Sample("http.status", 1_000, "web", 200, null);
        assertThat(Sample.from(wire(alone.toEvent()))).isEqualTo(alone);
    }

    @Test
    void aProbeErrorRoundTrips() throws EventFormatException {
        ProbeError e = new ProbeError("nagios.check_tcp", 1_000, "sip-gw-1", "timed out after 5s", "mon-a");
        assertThat(e.toEvent().type()).isEqualTo("nagios.check_tcp.error");
        assertThat(ProbeError.from(wire(e.toEvent()))).isEqualTo(e);
    }

    @Test
    void anAlarmRoundTripsWithEachOfItsDetails() throws EventFormatException {
        AlarmEvent[] alarms = {
                new AlarmEvent("tcp.connect_ms", 1_000, "sip-gw-1", null, AlarmEvent.OK, 12.0, null, null, false, "mon-a"),
                new AlarmEvent("nagios.check_tcp", 1_000, "sip-gw-1", AlarmEvent.OK, AlarmEvent.WARNING, null, "TCP WARNING", null,
                        false, null),
                new AlarmEvent("tcp.connect_ms", 1_000, "sip-gw-1", AlarmEvent.OK, AlarmEvent.UNKNOWN, null, null, "refused", false,
                        "mon-a"),
                new AlarmEvent("tcp.connect_ms", 1_000, "sip-gw-1", AlarmEvent.CRITICAL, AlarmEvent.CRITICAL, null, null, null, true,
                        "mon-a")};
        for (AlarmEvent a : alarms) {
            assertThat(AlarmEvent.from(wire(a.toEvent()))).isEqualTo(a);
        }
        assertThat(AlarmEvent.isReassertion(alarms[3].toEvent())).isTrue();
        assertThat(AlarmEvent.isReassertion(alarms[0].toEvent())).isFalse();
    }

    @Test
    void aHeartbeatAndAResilienceMeasureRoundTrip() throws EventFormatException {
        Heartbeat h = new Heartbeat(1_000, "mon-b");
        assertThat(Heartbeat.from(wire(h.toEvent()))).isEqualTo(h);
        ResilienceMeasure r = new ResilienceMeasure("availability", 1_000, "sip-gw-1", 0.998, "mon-a");
        assertThat(r.toEvent().type()).isEqualTo("resilience.availability");
        assertThat(ResilienceMeasure.from(wire(r.toEvent()))).isEqualTo(r);
    }

    @Test
    void everyExampleOfTheCatalogueReadsAsItsRecord() throws EventFormatException {
        assertThat(Sample.from(EventCodec.decode(MonitorEvents.SAMPLE.example())).value()).isEqualTo(0.42);
        assertThat(ProbeError.from(EventCodec.decode(MonitorEvents.PROBE_ERROR.example())).probe()).isEqualTo("tcp");
        assertThat(AlarmEvent.from(EventCodec.decode(MonitorEvents.ALARM.example())).to()).isEqualTo(AlarmEvent.CRITICAL);
        assertThat(Heartbeat.from(EventCodec.decode(MonitorEvents.HEARTBEAT.example())).peer()).isEqualTo("mon-a");
        assertThat(ResilienceMeasure.from(EventCodec.decode(MonitorEvents.RESILIENCE.example())).measure())
                .isEqualTo("availability");
    }

    @Test
    void malformedEventsAreRefusedWithTheTypeAndKey() {
        assertThatThrownBy(() -> Sample.from(Event.message("tcp.connect_ms", 1, "s", Map.of("value", "fast"))))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("tcp.connect_ms")
                .hasMessageContaining("'value' must be a number");
        assertThatThrownBy(() -> Sample.from(Event.message("tcp.error", 1, "s", Map.of("error", "refused"))))
                .hasMessageContaining("has no attribute 'value'");
        assertThatThrownBy(() -> ProbeError.from(Event.message("tcp.connect_ms", 1, "s", Map.of())))
                .hasMessageContaining("expected a <probe>.error event");
        assertThatThrownBy(() -> AlarmEvent.from(Event.message("tcp.connect_ms", 1, "s", Map.of())))
                .hasMessageContaining("must be a state event");
        assertThatThrownBy(() -> AlarmEvent.from(Event.state("m", 1, "s", "ok", "critical", Map.of("reasserted", "yes"))))
                .hasMessageContaining("'reasserted' must be true or false");
        assertThatThrownBy(() -> Heartbeat.from(Event.message("monitor.heartbeat", 1, null, Map.of())))
                .hasMessageContaining("no source");
        assertThatThrownBy(() -> ResilienceMeasure.from(Event.message("availability", 1, "s", Map.of("value", 1.0))))
                .hasMessageContaining("expected a resilience.* event");
    }
}
