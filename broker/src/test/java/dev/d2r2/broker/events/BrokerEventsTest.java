package dev.d2r2.broker.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.nagios.PluginOutput;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerEventsTest {

    @Test
    void theCatalogueIsRegisteredAndListsEveryType() {
        assertThat(ServiceLoader.load(dev.d2r2.core.events.EventCatalogue.class).stream()
                .map(ServiceLoader.Provider::type)).contains(BrokerEvents.class);
        assertThat(new BrokerEvents().types()).containsExactly(BrokerEvents.LOG_DAMAGED, BrokerEvents.FORWARDED_GAP,
                BrokerEvents.NAGIOS);
    }

    @Test
    void logDamagedRoundTrips() throws Exception {
        LogDamaged d = new LogDamaged(1000, "alarms", "00000000000000000000.log", LogDamaged.DAMAGED, 4096, 86, 17, 18,
                "00000000000000000000.log.4096.damaged");
        Event e = EventCodec.decode(EventCodec.encodeToString(d.toEvent()));
        assertThat(LogDamaged.from(e)).isEqualTo(d);
        assertThat(e.attrs()).containsEntry(BrokerKeys.LOST, 2L);
        LogDamaged torn = new LogDamaged(1000, "alarms", "00000000000000000000.log", LogDamaged.TORN_TAIL, 4096, 3, 19, 18, null);
        assertThat(LogDamaged.from(torn.toEvent())).isEqualTo(torn);
        assertThat(torn.lost()).isZero();
    }

    @Test
    void forwardedGapRoundTrips() throws Exception {
        ForwardedGap g = new ForwardedGap(1000, "paths", "probe-1", 101, 800);
        Event e = EventCodec.decode(EventCodec.encodeToString(g.toEvent()));
        assertThat(ForwardedGap.from(e)).isEqualTo(g);
        assertThat(e.attrs()).containsEntry(BrokerKeys.LOST, 700L);
        Event noPublisher = Event.message(BrokerEvents.FORWARDED_GAP.name(), 1, "broker", Map.of(BrokerKeys.CHANNEL, "paths"));
        assertThatThrownBy(() -> ForwardedGap.from(noPublisher)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'" + BrokerKeys.PUBLISHER + "'");
    }

    @Test
    void aMalformedLogDamagedSaysWhatIsWrong() {
        Event wrongType = Event.message(BrokerEvents.LOG_DAMAGED.name() + "x", 1, "broker", Map.of());
        assertThatThrownBy(() -> LogDamaged.from(wrongType)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining(BrokerEvents.LOG_DAMAGED.name());
        Event noChannel = Event.message(BrokerEvents.LOG_DAMAGED.name(), 1, "broker", Map.of(BrokerKeys.SEGMENT, "s"));
        assertThatThrownBy(() -> LogDamaged.from(noChannel)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'" + BrokerKeys.CHANNEL + "'");
    }

    @Test
    void aPluginResultBecomesAStateEventAndBack() throws Exception {
        NagiosCheck c = NagiosCheck.of(PluginOutput.parse(2, "TCP CRITICAL | time=0.5s rtt=12"), "nagios.check_tcp", "gw-1", "ok", 1000);
        Event e = c.toEvent();
        assertThat(e.type()).isEqualTo("nagios.check_tcp");
        assertThat(e.from()).isEqualTo("ok");
        assertThat(e.to()).isEqualTo("critical");
        assertThat(e.attrs()).containsEntry("output", "TCP CRITICAL").containsEntry("time", 0.5)
                .containsEntry("time.uom", "s").containsEntry("rtt", 12L);
        assertThat(NagiosCheck.from(EventCodec.decode(EventCodec.encodeToString(e)))).isEqualTo(c);
        assertThat(NagiosCheck.defaultType("/usr/lib/nagios/plugins/check_tcp")).isEqualTo("nagios.check_tcp");
    }

    @Test
    void aMalformedNagiosEventSaysWhatIsWrong() {
        Event noState = Event.message("nagios.check_tcp", 1, "gw-1", Map.of(BrokerKeys.OUTPUT, "x"));
        assertThatThrownBy(() -> NagiosCheck.from(noState)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("state event");
        Event noOutput = Event.state("nagios.check_tcp", 1, "gw-1", null, "ok", Map.of());
        assertThatThrownBy(() -> NagiosCheck.from(noOutput)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'" + BrokerKeys.OUTPUT + "'");
    }
}
