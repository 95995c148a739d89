package dev.d2r2.overlay.kad;

import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** A node with an admission lets a contact into its routing table only once the card of its PONG was accepted. */
class AdmissionTest {
    private record Sent(InetSocketAddress to, Message message) {
    }

    private static final byte[] GOOD = "certified".getBytes(StandardCharsets.US_ASCII);

    private final SplittableRandom random = new SplittableRandom(5);
    private final List<Sent> sent = new ArrayList<>();
    private final KadNode node = new KadNode(KadConfig.defaults(), NodeId.random(random), new ManualClock(1_000_000), random,
            (to, m) -> sent.add(new Sent(to, m)));

    AdmissionTest() {
        node.admitOnly((contact, card) -> Arrays.equals(card, GOOD));
    }

    private Contact contact(int n) {
        return new Contact(NodeId.random(random), InetSocketAddress.createUnresolved("10.0.0." + n, 4000));
    }

    /** The PINGs the node sent to {@code c} since the last call. */
    private List<Message.Ping> pingsTo(Contact c) {
        List<Message.Ping> pings = sent.stream().filter(s -> s.to().equals(c.address()) && s.message() instanceof Message.Ping)
                .map(s -> (Message.Ping) s.message()).toList();
        sent.clear();
        return pings;
    }

    @Test
    void aContactWhoseCardIsRefusedNeverEntersTheTableAndIsAskedOnce() {
        Contact mallory = contact(6);
        node.onMessage(mallory.address(), new Message.FindNode(1, mallory.id(), node.id()));
        assertThat(node.table().contains(mallory.id())).as("not before its card was seen").isFalse();
        List<Message.Ping> asked = pingsTo(mallory);
        assertThat(asked).hasSize(1);

        node.onMessage(mallory.address(), new Message.Pong(asked.getFirst().tx(), mallory.id(), "forged".getBytes(StandardCharsets.US_ASCII)));
        node.onMessage(mallory.address(), new Message.FindNode(2, mallory.id(), node.id()));

        assertThat(node.table().contains(mallory.id())).isFalse();
        assertThat(node.stats().contactsRefused()).isEqualTo(1);
        assertThat(pingsTo(mallory)).as("the verdict is remembered").isEmpty();
        assertThat(node.table().closest(mallory.id(), 20)).extracting(Contact::id).doesNotContain(mallory.id());
    }

    @Test
    void aContactWhoseCardIsAcceptedEntersTheTable() {
        Contact alice = contact(7);
        node.onMessage(alice.address(), new Message.FindNode(1, alice.id(), node.id()));
        List<Message.Ping> asked = pingsTo(alice);
        assertThat(asked).hasSize(1);

        node.onMessage(alice.address(), new Message.Pong(asked.getFirst().tx(), alice.id(), GOOD));

        assertThat(node.table().contains(alice.id())).isTrue();
        assertThat(node.stats().contactsRefused()).isZero();
    }

    @Test
    void aContactThatDoesNotAnswerTheCardRequestStaysOutAndIsAskedAgainLater() {
        Contact silent = contact(8);
        node.onMessage(silent.address(), new Message.FindNode(1, silent.id(), node.id()));
        assertThat(pingsTo(silent)).hasSize(1);
        node.onMessage(silent.address(), new Message.FindNode(2, silent.id(), node.id()));
        assertThat(pingsTo(silent)).as("one request for its card at a time").isEmpty();

        // both attempts of the PING time out
        node.onTimer(1_000_000 + 60_000);
        node.onTimer(1_000_000 + 120_000);
        sent.clear();
        node.onMessage(silent.address(), new Message.FindNode(3, silent.id(), node.id()));

        assertThat(node.table().contains(silent.id())).isFalse();
        assertThat(pingsTo(silent)).as("no verdict without a card: asked again").hasSize(1);
    }
}
