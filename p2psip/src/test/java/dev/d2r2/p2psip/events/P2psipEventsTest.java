package dev.d2r2.p2psip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.p2psip.auth.AsStatus;
import dev.d2r2.p2psip.auth.Refusal;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class P2psipEventsTest {
    @Test
    void theCatalogueIsRegisteredAndListsEveryType() {
        assertThat(ServiceLoader.load(EventCatalogue.class).stream().map(ServiceLoader.Provider::type)).contains(P2psipEvents.class);
        assertThat(new P2psipEvents().types()).containsExactly(P2psipEvents.AS_STATUS, P2psipEvents.UA_STATUS);
    }

    @Test
    void theServersCountersRoundTripWithEachRefusalUnderItsOwnName() throws Exception {
        AsStatus s = new AsStatus(30, 12, Map.of(Refusal.MALFORMED, 1L, Refusal.UNKNOWN_USER, 2L, Refusal.BAD_MAC, 3L, Refusal.STALE, 4L,
                Refusal.REPLAYED, 5L, Refusal.BAD_PROOF, 6L, Refusal.QUOTA, 7L), 0, 0);
        AuthServerStatus status = s.event(1000, "127.0.0.1:5300");
        Event e = EventCodec.decode(EventCodec.encodeToString(status.toEvent()));
        assertThat(AuthServerStatus.from(e)).isEqualTo(status);
        assertThat(e.attrs()).containsEntry(AuthServerStatus.UNKNOWN_USER, 2L).containsEntry(AuthServerStatus.QUOTA, 7L)
                .containsEntry(AuthServerStatus.REQUESTS, 30L);
    }

    @Test
    void theUserAgentsCountersRoundTrip() throws Exception {
        UaStatus status = new UaStatus(1000, "127.0.0.1:5070", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        Event e = EventCodec.decode(EventCodec.encodeToString(status.toEvent()));
        assertThat(UaStatus.from(e)).isEqualTo(status);
        assertThat(e.attrs()).containsEntry(UaStatus.REFUSED_FORGED, 7L).containsEntry(UaStatus.SIP_REFUSED, 14L);
    }

    @Test
    void aMalformedStatusSaysWhatIsWrong() {
        Event missing = Event.message(P2psipEvents.AS_STATUS.name(), 1, "as", Map.of(AuthServerStatus.REQUESTS, 1L));
        assertThatThrownBy(() -> AuthServerStatus.from(missing)).isInstanceOf(EventFormatException.class)
                .hasMessageContaining("'" + AuthServerStatus.ISSUED + "'");
    }
}
