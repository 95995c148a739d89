package dev.d2r2.cosip;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.cosip.events.CredentialOutcome;
import dev.d2r2.cosip.events.ModeChange;
import dev.d2r2.cosip.events.ModeChange.Mode;
import dev.d2r2.cosip.events.ProviderState;
import dev.d2r2.cosip.events.RevocationPublished;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CosipEventsTest {
    @Test
    void eventsRoundTrip() throws Exception {
        ProviderState down = new ProviderState(1000, "127.0.0.1:5071", "127.0.0.1:5060", false, 2);
        assertThat(down.toEvent().from()).isEqualTo("up");
        assertThat(ProviderState.from(down.toEvent())).isEqualTo(down);
        ModeChange change = new ModeChange(1000, "127.0.0.1:5071", Mode.SERVER, Mode.P2P, "provider-down");
        assertThat(change.toEvent().to()).isEqualTo("p2p");
        assertThat(ModeChange.from(change.toEvent())).isEqualTo(change);
        CredentialOutcome kept = new CredentialOutcome(1000, "127.0.0.1:5071", "sip:alice@example.org", "obtained");
        assertThat(CredentialOutcome.from(kept.toEvent())).isEqualTo(kept);
        RevocationPublished revoked = new RevocationPublished(1000, "127.0.0.1:8470", "sip:carol@example.org", 1, 3);
        assertThat(RevocationPublished.from(revoked.toEvent())).isEqualTo(revoked);
        assertThatThrownBy(() -> RevocationPublished.from(kept.toEvent())).isInstanceOf(EventFormatException.class);
    }

    @Test
    void aBadStateIsAFormatError() {
        Event e = Event.state("cosip.mode", 1, "p", "server", "sideways", Map.of(ModeChange.REASON, "x"));
        assertThatThrownBy(() -> ModeChange.from(e)).isInstanceOf(EventFormatException.class).hasMessageContaining("sideways");
        Event f = Event.state("cosip.provider", 1, "p", "up", "gone", Map.of(ProviderState.SERVER, "s", ProviderState.MISSES, 1L));
        assertThatThrownBy(() -> ProviderState.from(f)).isInstanceOf(EventFormatException.class);
    }
}
