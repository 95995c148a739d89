package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScaleEventsTest {

    @Test
    void everyRecordRoundTrips() throws EventFormatException {
        InstanceChange c = new InstanceChange(1_000, "sip-2", "running", "healthy", "sip", "remote", "10.81.2.2:5060", null);
        assertThat(InstanceChange.from(c.toEvent())).isEqualTo(c);
        InstanceChange failed = new InstanceChange(1_000, "sip-2", "running", "failed", "sip", "remote", "10.81.2.2:5060", "no answer");
        assertThat(InstanceChange.from(failed.toEvent())).isEqualTo(failed);
        PhaseTimed p = new PhaseTimed(1_000, "sip-2", "remote", "boot", 412, "scaler/scale-out/sip", null);
        assertThat(PhaseTimed.from(p.toEvent())).isEqualTo(p);
        PhaseTimed f = new PhaseTimed(1_000, "sip-2", "remote", "health", 15_000, "scaler/scale-out/sip", "no answer to SIP OPTIONS");
        assertThat(PhaseTimed.from(f.toEvent())).isEqualTo(f);
        assertThat(f.toEvent().attrs()).containsEntry("outcome", "failed").containsEntry("why", "no answer to SIP OPTIONS");
        LoadLevel l = new LoadLevel(1_000, "sip", "ok", "overload", 1, 5, 400.0, "calls_per_s WARNING for 2s");
        assertThat(LoadLevel.from(l.toEvent())).isEqualTo(l);
        ScaleStep s = new ScaleStep(1_000, "sip", "out", 1, 5, "scaler/scale-out/sip", null);
        assertThat(ScaleStep.from(s.toEvent())).isEqualTo(s);
        CloudAccess a = new CloudAccess(1_000, "remote", "open", "forbidden", "*", "scaler-placement/forbid-clone/remote", "forbid",
                601_000);
        assertThat(CloudAccess.from(a.toEvent())).isEqualTo(a);
    }

    @Test
    void aMalformedEventIsRefusedNamingTheTypeAndKey() {
        Event bad = Event.message(ScaleEvents.PHASE.name(), 1, "sip-2", Map.of(ScaleKeys.CLOUD, "home", ScaleKeys.PHASE, "boot",
                ScaleKeys.MS, "soon"));
        assertThatThrownBy(() -> PhaseTimed.from(bad)).isInstanceOf(EventFormatException.class).hasMessageContaining("scale.phase")
                .hasMessageContaining("ms");
    }
}
