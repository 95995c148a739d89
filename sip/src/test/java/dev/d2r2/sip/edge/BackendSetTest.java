package dev.d2r2.sip.edge;

import dev.d2r2.core.ManualClock;
import dev.d2r2.core.Rendezvous;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The backends: weighted choice, skipping draining, saturated, shedding and down ones; changes reported. */
class BackendSetTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final EdgeCounters counters = new EdgeCounters();
    private final List<BackendEvent> changes = new ArrayList<>();

    private static InetSocketAddress at(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void newDialogsSpreadByWeightAndAKeyStaysOnItsBackend() {
        Backend light = new Backend(at(5071), 1);
        Backend heavy = new Backend(at(5072), 3);
        BackendSet set = new BackendSet(List.of(light, heavy), clock, counters, changes::add);
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            counts.merge(set.choose(Rendezvous.hash("call-" + i), Affinity.CALL_ID, true), 1, Integer::sum);
        }
        assertThat(counts.get(heavy) / (double) counts.get(light)).isBetween(2.5, 3.5);
        long key = Rendezvous.hash("call-7");
        assertThat(set.choose(key, Affinity.CALL_ID, true)).isSameAs(set.choose(key, Affinity.CALL_ID, false));
    }

    @Test
    void requestsFinalAnswersAndErrorAnswersAreCountedPerBackendForOutlierDetection() {
        Backend a = new Backend(at(5071), 1);
        Backend b = new Backend(at(5072), 1);
        BackendSet set = new BackendSet(List.of(a, b), clock, counters, changes::add);
        for (int i = 0; i < 3; i++) {
            set.awaiting(a);
        }
        set.answered(a, 100, -1, -1);
        set.answered(a, 180, -1, -1);
        set.answered(a, 200, -1, -1);
        set.answered(a, 486, -1, -1);
        set.answered(a, 503, -1, -1);
        assertThat(List.of(a.requests(), a.finalAnswers(), a.errorAnswers())).as("provisional answers are not final").containsExactly(3L, 3L, 1L);
        assertThat(List.of(b.requests(), b.finalAnswers(), b.errorAnswers())).containsExactly(0L, 0L, 0L);
    }

    @Test
    void aNewDialogSkipsDrainingSaturatedAndSheddingBackendsAndIsRefusedWhenNoneIsLeft() {
        Backend a = new Backend(at(5071), 1, 1);
        Backend b = new Backend(at(5072), 1);
        BackendSet set = new BackendSet(List.of(a, b), clock, counters, changes::add);
        a.dialogs.set(1);
        for (int i = 0; i < 50; i++) {
            assertThat(set.choose(Rendezvous.hash("k" + i), Affinity.CALL_ID, true)).isSameAs(b);
        }
        set.drain(b.id());
        assertThat(set.choose(Rendezvous.hash("k"), Affinity.CALL_ID, true)).isNull();
        assertThat(counters.get(EdgeCounter.ADMISSION_REFUSED)).isEqualTo(1);
        assertThat(set.choose(Rendezvous.hash("k"), Affinity.CALL_ID, false)).as("in-dialog requests still reach it").isNotNull();
        a.dialogs.set(0);
        set.answered(a, 200, 100, 1000);
        assertThat(set.choose(Rendezvous.hash("k"), Affinity.CALL_ID, true)).as("a shedding all new requests").isNull();
        clock.advance(java.time.Duration.ofMillis(1001));
        assertThat(set.choose(Rendezvous.hash("k"), Affinity.CALL_ID, true)).isSameAs(a);
    }

    @Test
    void addReweightRemoveAndDrainAreReported() {
        BackendSet set = new BackendSet(List.of(), clock, counters, changes::add);
        Backend b = set.add(at(5071), 1);
        assertThat(set.add(at(5071), 2)).isSameAs(b);
        assertThat(b.weight()).isEqualTo(2);
        assertThat(set.at(at(5071))).isSameAs(b);
        assertThat(set.drain(b.id())).isTrue();
        assertThat(set.remove(b.id())).isTrue();
        assertThat(set.remove(b.id())).isFalse();
        assertThat(changes).extracting(BackendEvent::state).containsExactly("added", "weight", "draining", "drained", "removed");
        assertThat(counters.get(EdgeCounter.BACKEND_ADDED)).isEqualTo(1);
    }

    @Test
    void leastDialogsPicksTheLeastLoadedForItsWeight() {
        Backend a = new Backend(at(5071), 1);
        Backend b = new Backend(at(5072), 2);
        BackendSet set = new BackendSet(List.of(a, b), clock, counters, changes::add);
        a.dialogs.set(3);
        b.dialogs.set(4);
        assertThat(set.choose(Rendezvous.hash("x"), Affinity.LEAST_DIALOGS, true)).isSameAs(b);
        b.dialogs.set(8);
        assertThat(set.choose(Rendezvous.hash("x"), Affinity.LEAST_DIALOGS, true)).isSameAs(a);
    }
}
