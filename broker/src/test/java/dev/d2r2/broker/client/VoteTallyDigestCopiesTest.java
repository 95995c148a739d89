package dev.d2r2.broker.client;

import dev.d2r2.broker.client.VoteTallyDigestPropertiesTest.Item;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cases of the digest-copy vote one by one, n = 3 (2f + 1, f = 1), replica 0 the carrier:
 * a lying carrier, a silent one, a duplicate, and where a new carrier is to start.
 */
class VoteTallyDigestCopiesTest {
    private final List<String> delivered = new ArrayList<>();
    private final VoteTally<Item> tally = new VoteTally<>(3, 1, 16, 8, 4, Item::key, Item::whole,
            (p, s, item) -> delivered.add(p + "#" + s + "=" + new String(item.key(), StandardCharsets.UTF_8)
                    + (item.whole() ? "" : " (not carried!)")));

    private static Item whole(String s) {
        return new Item(s.getBytes(StandardCharsets.UTF_8), true);
    }

    private static Item digest(String s) {
        return new Item(s.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void anEventIsDeliveredWhenFPlusOneAttestItAndTheCarriersCopyMatches() {
        tally.report(1, "p", 1, digest("a"));
        tally.report(2, "p", 1, digest("a"));
        assertThat(delivered).isEmpty();
        assertThat(tally.awaitingEvent()).isTrue();
        tally.report(0, "p", 1, whole("a"));
        assertThat(delivered).containsExactly("p#1=a");
        assertThat(tally.awaitingEvent()).isFalse();
    }

    @Test
    void aCarriersCopyThatContradictsTheAttestedDigestIsRefusedAndCountedAndAnotherReplicaCarriesTheEvent() {
        tally.report(0, "p", 1, whole("tampered"));
        tally.report(1, "p", 1, digest("a"));
        tally.report(2, "p", 1, digest("a"));
        assertThat(delivered).isEmpty();
        assertThat(tally.refusedCopies(0)).isEqualTo(1);
        assertThat(tally.disagreements(0)).isEqualTo(1);
        assertThat(tally.awaitingEvent()).isTrue();

        tally.report(1, "p", 1, whole("a"));
        assertThat(delivered).containsExactly("p#1=a");
        assertThat(tally.duplicates(1)).as("sent again whole as asked, not a duplicate").isZero();
        assertThat(tally.refusedCopies(1) + tally.disagreements(1) + tally.refusedCopies(2)).isZero();
    }

    @Test
    void aTamperedCopyThatArrivesAfterTheDecisionIsRefusedToo() {
        tally.report(1, "p", 1, digest("a"));
        tally.report(2, "p", 1, digest("a"));
        tally.report(0, "p", 1, whole("b"));
        assertThat(delivered).isEmpty();
        assertThat(tally.refusedCopies(0)).isEqualTo(1);
    }

    @Test
    void whenTheCarrierIsSilentTheEventsWaitAndComeOnceFromTheNextCarrier() {
        for (int s = 1; s <= 5; s++) {
            tally.report(1, "p", s, digest("e" + s));
            tally.report(2, "p", s, digest("e" + s));
        }
        assertThat(delivered).isEmpty();
        assertThat(tally.awaitingEvent()).isTrue();
        assertThat(tally.skipStalled()).as("nothing later is carried: nothing to skip to").isZero();
        // Replica 1 had the events at offsets 100..104: the new carrier starts from its first undelivered one.
        assertThat(tally.earliestUndelivered(1, item -> 99 + Integer.parseInt(
                new String(item.key(), StandardCharsets.UTF_8).substring(1)))).isEqualTo(100);
        for (int s = 1; s <= 5; s++) {
            tally.report(1, "p", s, whole("e" + s));
        }
        assertThat(delivered).containsExactly("p#1=e1", "p#2=e2", "p#3=e3", "p#4=e4", "p#5=e5");
        assertThat(tally.duplicates(1)).isZero();
        // The old carrier wakes up and sends them too: late, ignored, nothing delivered twice.
        for (int s = 1; s <= 5; s++) {
            tally.report(0, "p", s, whole("e" + s));
        }
        assertThat(delivered).hasSize(5);
        assertThat(tally.earliestUndelivered(1, item -> 0)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aReplicaSendingAWholeCopyTwiceIsCountedAsDuplicatingAndTheEventDeliveredOnce() {
        tally.report(0, "p", 1, whole("a"));
        tally.report(0, "p", 1, whole("a"));
        tally.report(1, "p", 1, digest("a"));
        tally.report(0, "p", 1, whole("a"));
        tally.report(2, "p", 1, digest("a"));
        assertThat(delivered).containsExactly("p#1=a");
        assertThat(tally.duplicates(0)).isEqualTo(2);
        assertThat(tally.refusedCopies(0)).isZero();
    }

    @Test
    void aReplicaThatVotedOneDigestCannotCarryAnotherEvent() {
        tally.report(1, "p", 1, digest("a"));
        tally.report(1, "p", 1, whole("forged"));
        tally.report(2, "p", 1, digest("a"));
        tally.report(0, "p", 1, digest("a"));
        assertThat(delivered).isEmpty();
        assertThat(tally.duplicates(1)).isEqualTo(1);
        assertThat(tally.refusedCopies(1)).isEqualTo(1);
        tally.report(2, "p", 1, whole("a"));
        assertThat(delivered).containsExactly("p#1=a");
    }

    @Test
    void digestsFromFReplicasAloneNeverDeliverTheCarriersCopy() {
        tally.report(0, "p", 1, whole("x"));
        tally.report(1, "p", 1, digest("y"));
        assertThat(delivered).isEmpty();
        tally.report(2, "p", 1, digest("x"));
        assertThat(delivered).containsExactly("p#1=x");
        assertThat(tally.disagreements(1)).isEqualTo(1);
        assertThat(tally.refusedCopies(1)).as("a digest is not a refused copy").isZero();
    }
}
