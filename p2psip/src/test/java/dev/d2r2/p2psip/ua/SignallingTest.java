package dev.d2r2.p2psip.ua;

import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.contact.BadContact;
import dev.d2r2.p2psip.contact.ContactData;
import dev.d2r2.p2psip.contact.EntryPoint;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.Relay;
import dev.d2r2.p2psip.tunnel.Tunnel;
import dev.d2r2.p2psip.tunnel.X25519;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two user agents over 14 loopback peers: contact data and signalling through tunnels (3 inbound, 2 outbound hops). */
class SignallingTest {
    private static UaNetwork network;
    private static UserAgent alice;
    private static UserAgent bob;

    @BeforeAll
    static void start() throws Exception {
        network = new UaNetwork(14);
        alice = network.agent("alice", UaNetwork.settings());
        bob = network.agent("bob", UaNetwork.settings());
    }

    @AfterAll
    static void stop() throws Exception {
        network.close();
    }

    private record Received(byte[] sender, String message) {
    }

    private static BlockingQueue<Received> inbox(UserAgent ua) {
        BlockingQueue<Received> q = new LinkedBlockingQueue<>();
        ua.onMessage((from, m) -> q.add(new Received(from, new String(m, StandardCharsets.UTF_8))));
        return q;
    }

    @Test
    void inviteMessageAndByeReachTheCalleeAndAnswersComeBackToTheEntryPointsTheCallerNamed() throws Exception {
        BlockingQueue<Received> atBob = inbox(bob);
        BlockingQueue<Received> atAlice = inbox(alice);
        long aliceLookups = alice.contacts().lookups();
        long bobLookups = bob.contacts().lookups();

        for (String request : List.of("INVITE", "MESSAGE", "BYE")) {
            alice.send(bob.identityKey(), (request + " sip:bob@p2psip SIP/2.0").getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            Received r = atBob.poll(10, TimeUnit.SECONDS);
            assertThat(r).isNotNull();
            assertThat(r.message()).startsWith(request);
            assertThat(r.sender()).isEqualTo(alice.identityKey());
            bob.send(r.sender(), "SIP/2.0 200 OK".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            assertThat(atAlice.poll(10, TimeUnit.SECONDS).message()).isEqualTo("SIP/2.0 200 OK");
        }
        assertThat(alice.contacts().lookups()).isEqualTo(aliceLookups + 1);
        assertThat(bob.contacts().lookups()).as("Bob answers to the entry points Alice's envelopes named").isEqualTo(bobLookups);
    }

    @Test
    void messagesSentAtOnceToAUserNotYetLookedUpShareOneLookup() throws Exception {
        UserAgent ivan = network.agent("ivan", UaNetwork.settings());
        BlockingQueue<Received> atIvan = inbox(ivan);
        long lookupsBefore = alice.contacts().lookups();

        List<CompletableFuture<Route>> sends = List.of(
                alice.send(ivan.identityKey(), "SIP/2.0 180 Ringing".getBytes(StandardCharsets.UTF_8)),
                alice.send(ivan.identityKey(), "SIP/2.0 200 OK".getBytes(StandardCharsets.UTF_8)));
        for (var send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }

        assertThat(atIvan.poll(10, TimeUnit.SECONDS).message()).isEqualTo("SIP/2.0 180 Ringing");
        assertThat(atIvan.poll(10, TimeUnit.SECONDS).message()).isEqualTo("SIP/2.0 200 OK");
        assertThat(alice.contacts().lookups()).isEqualTo(lookupsBefore + 1);
    }

    @Test
    void contactDataNamesOnlyTheInboundEntryPointsAndIsStoredUnderTheOwnersKey() throws Exception {
        SignedValue stored = network.peers().peers().getFirst().storage().get(ContactData.keyOf(bob.identityKey()))
                .get(10, TimeUnit.SECONDS).value();

        ContactData data = ContactData.open(stored, bob.identityKey(), System.currentTimeMillis());
        List<Hop> entryPoints = data.entries().stream().map(EntryPoint::hop).toList();
        assertThat(entryPoints).containsExactlyInAnyOrderElementsOf(bob.inboundTunnels().stream().map(t -> t.path().getLast()).toList());
        List<Hop> nearBob = bob.inboundTunnels().stream().map(t -> t.path().getFirst()).toList();
        assertThat(entryPoints).doesNotContainAnyElementsOf(nearBob);
        assertThat(bob.inboundTunnels()).allSatisfy(t -> assertThat(t.path()).hasSize(3));
        assertThat(bob.publishingTunnel().path()).hasSize(2);
        assertThat(bob.lookupTunnels()).allSatisfy(t -> assertThat(t.path()).hasSize(2));
        assertThat(bob.contacts().published()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void thePublishingTunnelIsNotOneOfTheLookupTunnels() {
        Tunnel publishing = alice.publishingTunnel();
        assertThat(alice.lookupTunnels()).noneMatch(t -> t == publishing);
    }

    @Test
    void noLookupTunnelExitsWhereThePublishingTunnelDoes() throws Exception {
        // 12 lookup tunnels among 14 peers: picked at random, more than half of such agents would have one exit there
        UserAgent gina = network.agent("gina", new UserAgent.Settings(1, 12, Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofSeconds(3)));
        Hop exit = gina.publishingTunnel().path().getLast();
        assertThat(gina.lookupTunnels()).hasSize(12)
                .allSatisfy(t -> assertThat(t.path().getLast().sameKey(exit.publicKey())).as("a lookup tunnel's exit").isFalse());
    }

    @Test
    void contactDataIsPublishedAgainEveryTauAndTheNewerCopyReplacesTheOlder() throws Exception {
        UserAgent frank = network.agent("frank", new UserAgent.Settings(1, 1, Duration.ofMillis(300), Duration.ofMinutes(1),
                Duration.ofSeconds(3)));
        long first = storedSeq(frank);

        await().atMost(10, TimeUnit.SECONDS).until(() -> frank.contacts().published() >= 3);
        assertThat(storedSeq(frank)).isGreaterThan(first);
        assertThat(frank.contacts().publishFailures()).isZero();
    }

    private static long storedSeq(UserAgent ua) throws Exception {
        return network.peers().peers().getFirst().storage().get(ContactData.keyOf(ua.identityKey())).get(10, TimeUnit.SECONDS).value().seq();
    }

    @Test
    void expiredContactDataIsRefusedOverEveryTunnelAndCounted() throws Exception {
        UserAgent carol = network.agent("carol", new UserAgent.Settings(1, 2, Duration.ofMinutes(5), Duration.ofMillis(1),
                Duration.ofSeconds(3)));
        UserAgent dave = network.agent("dave", UaNetwork.settings());

        assertThatThrownBy(() -> dave.send(carol.identityKey(), "INVITE".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoSuchElementException.class);
        assertThat(dave.contacts().refused(BadContact.Reason.EXPIRED)).isEqualTo(2);
        assertThat(dave.contacts().retries()).isEqualTo(1);
        assertThat(dave.contacts().notFound()).isEqualTo(1);
        assertThat(dave.sent()).isZero();
    }

    @Test
    void aSignallingMessageForSomeoneElseTamperedOrNotAnEnvelopeIsRefusedAndCounted() throws Exception {
        BlockingQueue<Received> atBob = inbox(bob);
        long refusedBefore = bob.refused();
        ContactData data = ContactData.open(network.peers().peers().getFirst().storage().get(ContactData.keyOf(bob.identityKey()))
                .get(10, TimeUnit.SECONDS).value(), bob.identityKey(), System.currentTimeMillis());
        EntryPoint entry = data.entries().getFirst();
        Relay exit = network.peers().peers().getLast().relay();
        byte[] invite = "INVITE sip:bob@p2psip SIP/2.0".getBytes(StandardCharsets.UTF_8);

        exit.enter(entry.hop(), entry.entryId(),
                SignalEnvelope.seal(Identity.generate(), alice.identityKey(), data.signalKey(), System.currentTimeMillis(), noReply(), List.of(), invite));
        byte[] tampered = SignalEnvelope.seal(Identity.generate(), bob.identityKey(), data.signalKey(), System.currentTimeMillis(), noReply(), List.of(), invite);
        tampered[tampered.length / 2] ^= 1;
        exit.enter(entry.hop(), entry.entryId(), tampered);
        exit.enter(entry.hop(), entry.entryId(), Arrays.copyOf("not an envelope".getBytes(StandardCharsets.UTF_8), 200));

        await().atMost(10, TimeUnit.SECONDS).until(() -> bob.refused() == refusedBefore + 3);
        assertThat(atBob).isEmpty();
    }

    @Test
    void whatTheExitAndTheEntryPointCarryIsCiphertextThatOpensOnlyForTheCallee() throws Exception {
        ContactData data = ContactData.open(network.peers().peers().getFirst().storage().get(ContactData.keyOf(bob.identityKey()))
                .get(10, TimeUnit.SECONDS).value(), bob.identityKey(), System.currentTimeMillis());
        Identity caller = Identity.generate();
        byte[] invite = "INVITE sip:bob@p2psip SIP/2.0\r\nCall-ID: secret-call@p2psip\r\n".getBytes(StandardCharsets.UTF_8);

        byte[] first = SignalEnvelope.seal(caller, bob.identityKey(), data.signalKey(), System.currentTimeMillis(), noReply(), List.of(), invite);
        byte[] second = SignalEnvelope.seal(caller, bob.identityKey(), data.signalKey(), System.currentTimeMillis(), noReply(), List.of(), invite);

        // the bytes the exit hands on and the entry point receives: neither the message nor the caller's key, and never twice the same
        String seen = HexFormat.of().formatHex(first);
        assertThat(seen).doesNotContain(HexFormat.of().formatHex("secret-call".getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(HexFormat.of().formatHex(caller.publicKey(), 0, 8));
        assertThat(first).isNotEqualTo(second).hasSize(invite.length + SignalEnvelope.OVERHEAD);
        assertThatThrownBy(() -> SignalEnvelope.open(first, bob.identityKey(), X25519.generate().getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not sealed to this user");
    }

    @Test
    void aReplayedOrStaleEnvelopeIsRefusedAndCounted() throws Exception {
        BlockingQueue<Received> atBob = inbox(bob);
        long refusedBefore = bob.refused();
        ContactData data = ContactData.open(network.peers().peers().getFirst().storage().get(ContactData.keyOf(bob.identityKey()))
                .get(10, TimeUnit.SECONDS).value(), bob.identityKey(), System.currentTimeMillis());
        EntryPoint entry = data.entries().getFirst();
        Relay exit = network.peers().peers().getLast().relay();
        Identity caller = Identity.generate();
        byte[] invite = "INVITE sip:bob@p2psip SIP/2.0".getBytes(StandardCharsets.UTF_8);
        byte[] envelope = SignalEnvelope.seal(caller, bob.identityKey(), data.signalKey(), System.currentTimeMillis(), noReply(), List.of(), invite);

        // an exit or entry point that keeps a copy and sends it again, at once or later
        exit.enter(entry.hop(), entry.entryId(), envelope);
        exit.enter(entry.hop(), entry.entryId(), envelope);
        exit.enter(entry.hop(), entry.entryId(), envelope);
        exit.enter(entry.hop(), entry.entryId(), SignalEnvelope.seal(caller, bob.identityKey(), data.signalKey(),
                System.currentTimeMillis() - 2 * UserAgent.REPLAY_WINDOW_MS, noReply(), List.of(), invite));

        assertThat(atBob.poll(20, TimeUnit.SECONDS)).isNotNull();
        await().atMost(10, TimeUnit.SECONDS).until(() -> bob.refused() == refusedBefore + 3);
        assertThat(bob.replayed()).isEqualTo(2);
        assertThat(bob.stale()).isEqualTo(1);
        assertThat(atBob).isEmpty();
    }

    /** A signalling key for envelopes a test seals itself: nothing answers them. */
    private static byte[] noReply() {
        return X25519.raw(X25519.generate().getPublic());
    }
}
