package dev.d2r2.sip.edge;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dialog table: dialogs start once, end by BYE, and are swept when stale or never acknowledged. */
class DialogsTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final EdgeCounters counters = new EdgeCounters();
    private final List<BackendEvent> changes = new ArrayList<>();
    private final Backend b = new Backend(new InetSocketAddress("127.0.0.1", 5071), 1);
    private final BackendSet backends = new BackendSet(List.of(b), clock, counters, changes::add);
    private final Dialogs dialogs = new Dialogs(clock, counters, backends);

    @Test
    void aDialogStartsOnceAndEndsByItsBye() {
        dialogs.started(CallId.of("c1"), b);
        dialogs.started(CallId.of("c1"), b);
        assertThat(dialogs.size()).isEqualTo(1);
        assertThat(dialogs.backendOf(CallId.of("c1"))).isSameAs(b);
        assertThat(b.activeDialogs()).isEqualTo(1);
        dialogs.ended(CallId.of("c1"));
        dialogs.ended(CallId.of("c1"));
        assertThat(dialogs.size()).isZero();
        assertThat(b.activeDialogs()).isZero();
        assertThat(counters.get(EdgeCounter.DIALOGS_STARTED)).isEqualTo(1);
        assertThat(counters.get(EdgeCounter.DIALOGS_ENDED)).isEqualTo(1);
    }

    @Test
    void unacknowledgedDialogsAndStaleOnesAreSweptAndTheLastOfADrainingBackendReportsDrained() {
        dialogs.dialogTimeoutMs(Duration.ofMinutes(10).toMillis());
        dialogs.started(CallId.of("never-acked"), b);
        dialogs.started(CallId.of("acked"), b);
        dialogs.confirm(CallId.of("acked"));
        clock.advance(Duration.ofSeconds(33));
        dialogs.sweep(clock.millis());
        assertThat(dialogs.backendOf(CallId.of("never-acked"))).isNull();
        assertThat(dialogs.backendOf(CallId.of("acked"))).isSameAs(b);
        assertThat(counters.get(EdgeCounter.DIALOGS_UNACKNOWLEDGED)).isEqualTo(1);
        backends.drain(b.id());
        clock.advance(Duration.ofMinutes(10));
        dialogs.sweep(clock.millis());
        assertThat(dialogs.size()).isZero();
        assertThat(counters.get(EdgeCounter.DIALOGS_TIMED_OUT)).isEqualTo(1);
        assertThat(changes).extracting(BackendEvent::state).containsExactly("draining", "drained");
    }
}
