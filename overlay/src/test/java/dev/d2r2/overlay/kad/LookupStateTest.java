package dev.d2r2.overlay.kad;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The lookup state machine on its own: α in flight, the end condition, the hop bound. */
class LookupStateTest {
    private final SplittableRandom random = new SplittableRandom(9);
    private final NodeId self = NodeId.random(random);
    private final NodeId target = NodeId.random(random);

    private Contact contact() {
        return new Contact(NodeId.random(random), InetSocketAddress.createUnresolved("10.0.0.1", 4000));
    }

    @Test
    void keepsAlphaInFlightAndEndsWhenTheKClosestAnswered() {
        List<Contact> seeds = List.of(contact(), contact(), contact(), contact(), contact());
        Lookup l = new Lookup(self, target, false, 3, 2, 20, Long.MAX_VALUE, seeds);
        List<Contact> first = l.next();
        assertThat(first).hasSize(2);
        assertThat(l.next()).isEmpty();
        l.answered(first.get(0).id(), List.of());
        l.failed(first.get(1).id());
        assertThat(l.done(0)).isFalse();
        while (!l.done(0)) {
            for (Contact c : l.next()) {
                l.answered(c.id(), List.of());
            }
        }
        List<NodeId> answered = l.closest().stream().map(Contact::id).toList();
        assertThat(answered).hasSize(3).doesNotContain(first.get(1).id());
        assertThat(answered).isSortedAccordingTo(target::compareDistance);
    }

    @Test
    void aChainOfEverCloserContactsEndsAtTheHopBound() {
        Lookup l = new Lookup(self, target, false, 20, 1, 5, Long.MAX_VALUE, List.of(contact()));
        int queries = 0;
        List<Contact> ask;
        while (!(ask = l.next()).isEmpty()) {
            queries++;
            l.answered(ask.getFirst().id(), List.of(contact()));
        }
        assertThat(l.done(0)).isTrue();
        assertThat(queries).isEqualTo(5);
        assertThat(l.hops()).isLessThanOrEqualTo(5);
    }

    @Test
    void endsAtItsDeadlineWhateverIsInFlight() {
        Lookup l = new Lookup(self, target, false, 20, 3, 20, 1000, List.of(contact(), contact()));
        assertThat(l.next()).hasSize(2);
        assertThat(l.done(999)).isFalse();
        assertThat(l.done(1000)).isTrue();
    }
}
