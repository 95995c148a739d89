package dev.d2r2.p2psip.overlay;

import dev.d2r2.core.Clock;
import dev.d2r2.core.ManualClock;
import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.PutResult;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.node.OverlayNode;
import dev.d2r2.overlay.wire.PacketAuth;
import dev.d2r2.p2psip.auth.AsClient;
import dev.d2r2.p2psip.auth.AuthServer;
import dev.d2r2.p2psip.auth.BadCertificate;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateAuthority;
import dev.d2r2.p2psip.auth.CertificateKind;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.auth.Enrolments;
import dev.d2r2.p2psip.tunnel.Hop;
import dev.d2r2.p2psip.tunnel.X25519;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Both overlays on loopback UDP, every peer under a pseudonym certificate the authentication server issued over UDP. */
class PseudonymOverlaysTest {
    private final byte[] secret = new byte[Enrolments.SECRET_BYTES];
    private final byte[] storageKey = new byte[PacketAuth.KEY_BYTES];
    private final byte[] forwardingKey = new byte[PacketAuth.KEY_BYTES];
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<NodeId, Hop> relays = new HashMap<>();
    private AuthServer server;
    private CertificateVerifier verifier;
    private AsClient client;

    @BeforeEach
    void start() throws Exception {
        SecureRandom random = new SecureRandom();
        random.nextBytes(secret);
        random.nextBytes(storageKey);
        random.nextBytes(forwardingKey);
        server = AuthServer.start(new AuthServer.Settings(loopback(), Duration.ofSeconds(30)),
                new CertificateAuthority(Identity.generate(), new CertificateAuthority.Policy(Duration.ofDays(1), Duration.ofHours(6), 64),
                        random), Enrolments.of(Map.of("peers", secret)), Clock.system());
        verifier = new CertificateVerifier(server.publicKey(), Clock.system());
        client = new AsClient(server.address(), "peers", secret, verifier, Clock.system(), Duration.ofSeconds(5), 2);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        client.close();
        server.close();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private record Pseudonym(Identity key, Certificate certificate) {
    }

    private List<Certificate> certificates(CertificateKind kind, int n) throws Exception {
        return pseudonyms(kind, n).stream().map(Pseudonym::certificate).toList();
    }

    private List<Pseudonym> pseudonyms(CertificateKind kind, int n) throws Exception {
        List<Pseudonym> all = new ArrayList<>();
        while (all.size() < n) {
            List<Identity> keys = IntStream.range(0, Math.min(8, n - all.size())).mapToObj(i -> Identity.generate()).toList();
            List<Certificate> issued = client.pseudonyms(kind, keys);
            for (int i = 0; i < keys.size(); i++) {
                all.add(new Pseudonym(keys.get(i), issued.get(i)));
            }
        }
        return all;
    }

    /** A relay as a card names it; no tunnel goes through it here. */
    private static Hop relay(InetAddress host) {
        return new Hop(X25519.raw(X25519.generate().getPublic()), new InetSocketAddress(host, 1 + new SecureRandom().nextInt(65535)));
    }

    private ForwardingPool pool(int size, int lookups) {
        return new ForwardingPool(new ForwardingPool.Settings(size, lookups), verifier, new SecureRandom());
    }

    private OverlayNode.Settings settings(byte[] key, List<InetSocketAddress> seeds) {
        return new OverlayNode.Settings(loopback(), seeds, key, KadConfig.defaults(), Duration.ofSeconds(30));
    }

    @Test
    void storagePeersTakeTheirIdsFromTheirCertificatesAndCarryValues() throws Exception {
        List<OverlayNode> nodes = new ArrayList<>();
        for (Certificate c : certificates(CertificateKind.STORAGE, 16)) {
            List<InetSocketAddress> seeds = nodes.isEmpty() ? List.of() : List.of(nodes.getFirst().address());
            OverlayNode n = PseudonymOverlays.storage(c.encode(), verifier, settings(storageKey, seeds), Clock.system());
            open.add(n);
            nodes.add(n);
            assertThat(n.id()).isEqualTo(c.nodeId());
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.stream().allMatch(n -> n.status().join().contacts() >= 8));
        SignedValue v = SignedValue.sign(Identity.generate(), "contact".getBytes(StandardCharsets.UTF_8), 1, new byte[]{7});
        PutResult put = nodes.get(2).put(v).get(20, TimeUnit.SECONDS);
        assertThat(put.stored()).isEqualTo(15);
        assertThat(nodes.get(11).get(v.key()).get(20, TimeUnit.SECONDS).value().sameAs(v)).isTrue();
    }

    @Test
    void aPeerWithTheWrongKindOrAnExpiredOrForgedCertificateDoesNotStart() throws Exception {
        Pseudonym pseudonym = pseudonyms(CertificateKind.FORWARDING, 1).getFirst();
        Certificate forwarding = pseudonym.certificate();
        Certificate storage = certificates(CertificateKind.STORAGE, 1).getFirst();
        assertThatThrownBy(() -> PseudonymOverlays.storage(forwarding.encode(), verifier, settings(storageKey, List.of()), Clock.system()))
                .isInstanceOf(BadCertificate.class).hasMessageStartingWith("WRONG_KIND");
        CertificateVerifier later = new CertificateVerifier(server.publicKey(), new ManualClock(storage.notAfterMillis()));
        assertThatThrownBy(() -> PseudonymOverlays.storage(storage.encode(), later, settings(storageKey, List.of()), Clock.system()))
                .isInstanceOf(BadCertificate.class).hasMessageStartingWith("EXPIRED");
        CertificateVerifier otherServer = new CertificateVerifier(Identity.generate().publicKey(), Clock.system());
        assertThatThrownBy(() -> PseudonymOverlays.forwarding(forwarding.encode(), pseudonym.key(), relay(InetAddress.getLoopbackAddress()),
                otherServer, settings(forwardingKey, List.of()), pool(4, 1), Clock.system()))
                .isInstanceOf(BadCertificate.class).hasMessageStartingWith("BAD_SIGNATURE");
        assertThat(verifier.refused()).containsEntry(BadCertificate.Reason.WRONG_KIND, 1L);
    }

    private List<ForwardingNode> forwardingOverlay(int n) throws Exception {
        List<ForwardingNode> nodes = new ArrayList<>();
        for (Pseudonym p : pseudonyms(CertificateKind.FORWARDING, n)) {
            List<InetSocketAddress> seeds = nodes.isEmpty() ? List.of() : List.of(nodes.getFirst().address(), nodes.getLast().address());
            Hop hop = relay(InetAddress.getLoopbackAddress());
            ForwardingNode f = PseudonymOverlays.forwarding(p.certificate().encode(), p.key(), hop, verifier, settings(forwardingKey, seeds),
                    pool(8, 3), Clock.system());
            open.add(f);
            nodes.add(f);
            relays.put(f.id(), hop);
            assertThat(f.id()).isEqualTo(p.certificate().nodeId());
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> nodes.stream().allMatch(f -> f.status().join().contacts() >= n / 3));
        return nodes;
    }

    @Test
    void forwardingPeersRouteButRefuseAndCountStores() throws Exception {
        List<ForwardingNode> nodes = forwardingOverlay(8);
        OverlayNode storer = OverlayNode.start(settings(forwardingKey, List.of(nodes.getFirst().address())), Clock.system());
        open.add(storer);
        await().atMost(20, TimeUnit.SECONDS).until(() -> storer.status().join().contacts() >= 4);
        SignedValue v = SignedValue.sign(Identity.generate(), "x".getBytes(StandardCharsets.UTF_8), 1, new byte[]{1});
        PutResult put = storer.put(v).get(20, TimeUnit.SECONDS);
        assertThat(put.asked()).isEqualTo(8);
        assertThat(put.stored()).isZero();
        long refused = 0;
        for (ForwardingNode f : nodes) {
            refused += f.status().get().valueRequestsRefused();
        }
        assertThat(refused).isGreaterThanOrEqualTo(8);
    }

    @Test
    void thePoolComesFromLookupsOfRandomIdsNeverFromTheRoutingTable() throws Exception {
        List<ForwardingNode> nodes = forwardingOverlay(24);
        ForwardingNode me = nodes.get(5);
        assertThat(me.status().get().contacts()).as("the routing table is full").isGreaterThanOrEqualTo(8);
        assertThat(me.pool().entries()).as("yet the pool is empty before its first lookups").isEmpty();

        Set<NodeId> gone = new HashSet<>();
        for (ForwardingNode f : nodes.subList(10, 16)) {
            gone.add(f.id());
            f.close();
        }
        long lookupsBefore = me.status().get().lookups();
        List<ForwardingPool.Entry> pool = me.refreshPool().get(30, TimeUnit.SECONDS);
        assertThat(me.status().get().lookups() - lookupsBefore).isGreaterThanOrEqualTo(3);
        assertThat(pool).hasSize(8).isEqualTo(me.pool().entries());
        List<NodeId> targets = me.pool().targets();
        assertThat(targets).hasSize(3).doesNotHaveDuplicates();
        Set<NodeId> live = new HashSet<>(nodes.stream().map(ForwardingNode::id).toList());
        live.removeAll(gone);
        live.remove(me.id());
        for (ForwardingPool.Entry e : pool) {
            assertThat(targets).as("each member came from one of the refresh's lookups").contains(e.foundBy());
            assertThat(live).as("a lookup returns only peers that answered; the table still held the departed").contains(e.contact().id());
            assertThat(e.hop()).as("the relay its card announced").isEqualTo(relays.get(e.contact().id()));
        }
        assertThat(pool.stream().map(ForwardingPool.Entry::contact).map(Contact::id)).doesNotHaveDuplicates();

        me.refreshPool().get(30, TimeUnit.SECONDS);
        assertThat(me.pool().targets()).doesNotContainAnyElementsOf(targets);
        assertThat(me.pool().refreshes()).isEqualTo(2);
    }

    @Test
    void aPeerWhoseCardDoesNotCheckNeverEntersARoutingTableAndAnAgentsPoolHoldsOnlyCertifiedRelays() throws Exception {
        List<ForwardingNode> honest = forwardingOverlay(12);
        InetSocketAddress seed = honest.getFirst().address();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Pseudonym[] p = pseudonyms(CertificateKind.FORWARDING, 5).toArray(Pseudonym[]::new);
        CertificateAuthority otherServer = new CertificateAuthority(Identity.generate(), CertificateAuthority.Policy.defaults(), new SecureRandom());
        Certificate foreign = otherServer.pseudonym(CertificateKind.FORWARDING, p[0].key().publicKey(), System.currentTimeMillis());
        Map<BadCard.Reason, byte[]> forged = Map.of(
                BadCard.Reason.CERTIFICATE, RelayCard.sign(p[0].key(), foreign.encode(), relay(loopback)),
                BadCard.Reason.OTHER_NODE, RelayCard.sign(p[4].key(), p[4].certificate().encode(), relay(loopback)),
                BadCard.Reason.BAD_SIGNATURE, RelayCard.sign(Identity.generate(), p[2].certificate().encode(), relay(loopback)),
                BadCard.Reason.OTHER_HOST, RelayCard.sign(p[3].key(), p[3].certificate().encode(), relay(InetAddress.getByName("10.9.8.7"))),
                BadCard.Reason.MALFORMED, new byte[]{1, 2, 3});
        Map<BadCard.Reason, NodeId> ids = Map.of(BadCard.Reason.CERTIFICATE, foreign.nodeId(), BadCard.Reason.OTHER_NODE,
                NodeId.random(new SecureRandom()), BadCard.Reason.BAD_SIGNATURE, p[2].certificate().nodeId(), BadCard.Reason.OTHER_HOST,
                p[3].certificate().nodeId(), BadCard.Reason.MALFORMED, NodeId.random(new SecureRandom()));
        for (BadCard.Reason r : forged.keySet()) {
            OverlayNode liar = OverlayNode.start(new OverlayNode.Settings(loopback(), List.of(seed), forwardingKey,
                    KadConfig.defaults().withoutValues(), Duration.ofSeconds(30)), ids.get(r), Clock.system());
            open.add(liar);
            liar.announce(forged.get(r));
        }
        ForwardingNode cardless = PseudonymOverlays.lookupNode(settings(forwardingKey, List.of(seed)), pool(4, 1), Clock.system());
        open.add(cardless);
        // a certified relay, admitted to the tables, that announces a relay on another host afterwards (its own table
        // admits as the others' do: a node that admitted anyone would hand the forgers to every lookup that asks it)
        OverlayNode turncoat = OverlayNode.start(new OverlayNode.Settings(loopback(), List.of(seed), forwardingKey,
                KadConfig.defaults().withoutValues(), Duration.ofSeconds(30)), p[1].certificate().nodeId(), new CardChecks(verifier),
                new byte[0], Clock.system());
        open.add(turncoat);
        Hop turncoatRelay = relay(loopback);
        Hop elsewhere = relay(InetAddress.getByName("10.9.8.7"));
        turncoat.announce(RelayCard.sign(p[1].key(), p[1].certificate().encode(), turncoatRelay));

        ForwardingNode agent = PseudonymOverlays.lookupNode(settings(forwardingKey, List.of(seed)), pool(64, 3), Clock.system());
        open.add(agent);
        await().atMost(20, TimeUnit.SECONDS).until(() -> agent.status().join().contacts() >= 12);
        assertThat(agent.pool().hops()).as("a full routing table, yet no hop before a lookup of a random id").isEmpty();
        await().atMost(20, TimeUnit.SECONDS).until(() -> ids(agent.lookup(turncoat.id()).join().closest()).contains(turncoat.id()));
        turncoat.announce(RelayCard.sign(p[1].key(), p[1].certificate().encode(), elsewhere));

        Map<BadCard.Reason, Long> keptOut = new EnumMap<>(BadCard.Reason.class);
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            keptOut.clear();
            for (ForwardingNode f : honest) {
                f.refusedFromTable().forEach((r, n) -> keptOut.merge(r, n, Long::sum));
            }
            return forged.keySet().stream().allMatch(r -> keptOut.get(r) > 0) && keptOut.get(BadCard.Reason.NONE) > 0;
        });
        assertThat(keptOut.get(BadCard.Reason.UNANSWERED)).isZero();
        assertThat(verifier.refused().get(BadCertificate.Reason.BAD_SIGNATURE)).as("the foreign certificate").isPositive();
        for (NodeId id : ids.values()) {
            assertThat(ids(agent.lookup(id).get(20, TimeUnit.SECONDS).closest())).as("a forger is in no routing table").doesNotContain(id);
        }
        assertThat(ids(agent.lookup(cardless.id()).get(20, TimeUnit.SECONDS).closest())).as("nor a node that relays nothing")
                .doesNotContain(cardless.id());

        agent.awaitPool(12, Duration.ofSeconds(60));
        assertThat(agent.pool().hops()).as("every certified peer, with the relay it announced, and nothing else")
                .containsExactlyInAnyOrderElementsOf(relays.values());
        assertThat(agent.pool().entries()).allSatisfy(e -> assertThat(agent.pool().targets()).contains(e.foundBy()));
        await().atMost(60, TimeUnit.SECONDS).until(() -> {
            agent.refreshPool().get(30, TimeUnit.SECONDS);
            return agent.pool().refused().get(BadCard.Reason.OTHER_HOST) > 0;
        });
        assertThat(agent.pool().hops()).as("the card announced after it entered the tables is checked again")
                .doesNotContain(turncoatRelay, elsewhere);
    }

    private static List<NodeId> ids(List<Contact> contacts) {
        return contacts.stream().map(Contact::id).toList();
    }
}
