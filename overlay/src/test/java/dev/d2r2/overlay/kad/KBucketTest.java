package dev.d2r2.overlay.kad;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Ping before evict: a full bucket keeps its old contacts unless they fail to answer. */
class KBucketTest {
    private static final int K = 3;
    private final SplittableRandom random = new SplittableRandom(5);

    private Contact contact(int port) {
        return new Contact(NodeId.random(random), InetSocketAddress.createUnresolved("10.0.0.1", port));
    }

    private static List<Contact> contents(KBucket b) {
        List<Contact> out = new ArrayList<>();
        b.addTo(out);
        return out;
    }

    @Test
    void aFullBucketPingsItsLeastRecentlySeenAndKeepsItWhenItAnswers() {
        KBucket b = new KBucket(K, 0);
        Contact c1 = contact(1), c2 = contact(2), c3 = contact(3), newcomer = contact(4);
        assertThat(b.seen(c1, 0, 1000)).isNull();
        assertThat(b.seen(c2, 0, 1000)).isNull();
        assertThat(b.seen(c3, 0, 1000)).isNull();

        assertThat(b.seen(newcomer, 10, 1000)).isEqualTo(c1);
        assertThat(b.pingDeadline()).isEqualTo(1010);
        assertThat(contents(b)).containsExactly(c1, c2, c3);

        b.seen(c1, 500, 1000);
        assertThat(b.pingDeadline()).isEqualTo(Long.MAX_VALUE);
        b.pingExpired(2000);
        assertThat(contents(b)).containsExactly(c2, c3, c1);
    }

    @Test
    void aPingedContactThatStaysSilentMakesRoomForTheNewestCandidate() {
        KBucket b = new KBucket(K, 0);
        Contact c1 = contact(1), c2 = contact(2), c3 = contact(3), first = contact(4), newest = contact(5);
        b.seen(c1, 0, 1000);
        b.seen(c2, 0, 1000);
        b.seen(c3, 0, 1000);
        assertThat(b.seen(first, 0, 1000)).isEqualTo(c1);
        assertThat(b.seen(newest, 100, 1000)).as("one ping at a time").isNull();

        b.pingExpired(999);
        assertThat(contents(b)).containsExactly(c1, c2, c3);
        b.pingExpired(1000);
        assertThat(contents(b)).containsExactly(c2, c3, newest);
    }

    @Test
    void repeatedQueryFailuresEvictAContact() {
        KBucket b = new KBucket(K, 0);
        Contact c1 = contact(1), c2 = contact(2);
        b.seen(c1, 0, 1000);
        b.seen(c2, 0, 1000);
        b.failed(c1.id(), 2);
        assertThat(contents(b)).contains(c1);
        b.seen(c1, 0, 1000);
        b.failed(c1.id(), 2);
        assertThat(contents(b)).as("an answer in between resets the count").contains(c1);
        b.failed(c1.id(), 2);
        assertThat(contents(b)).containsExactly(c2);
    }

    @Test
    void theTableNeverHoldsMoreThanKPerBucketNorItself() {
        NodeId self = NodeId.random(random);
        RoutingTable t = new RoutingTable(self, K, 0);
        for (int i = 0; i < 2000; i++) {
            t.seen(contact(i), 0, 1000);
        }
        t.seen(new Contact(self, InetSocketAddress.createUnresolved("10.0.0.2", 1)), 0, 1000);
        assertThat(t.contains(self)).isFalse();
        for (int i = 0; i < NodeId.BITS; i++) {
            assertThat(t.bucketSize(i)).isLessThanOrEqualTo(K);
        }
        NodeId target = NodeId.random(random);
        List<Contact> all = t.all();
        all.sort((a, c) -> target.compareDistance(a.id(), c.id()));
        assertThat(t.closest(target, 5)).containsExactlyElementsOf(all.subList(0, 5));
    }
}
