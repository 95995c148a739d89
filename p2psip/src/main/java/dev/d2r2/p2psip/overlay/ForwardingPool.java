package dev.d2r2.p2psip.overlay;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.tunnel.Hop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The peers a user agent picks its tunnels' hops from. The seed's rule: the pool comes from
 * lookups of random ids, never from the routing table — a table fills with the peers that
 * contacted us, which an adversary can arrange to be its own; a random id's closest peers it
 * cannot choose without controlling that region of the id space. Each peer a lookup returns is
 * asked for its relay card (a PING); only peers whose card checks ({@link RelayCard#check}) join
 * the pool, the others are refused and counted by reason. Each refresh throws the old pool away.
 */
public final class ForwardingPool {
    /** A pool member, its relay as a hop, and the random id whose lookup returned it. */
    public record Entry(Contact contact, Hop hop, NodeId foundBy) {
    }

    /**
     * @param size    peers kept (fewer when the lookups returned fewer)
     * @param lookups random ids looked up per refresh
     */
    public record Settings(int size, int lookups) {
        public Settings {
            if (size < 1 || lookups < 1) {
                throw new IllegalArgumentException("a pool needs a positive size and number of lookups");
            }
        }
    }

    private final Settings settings;
    private final CardChecks checks;
    private final RandomGenerator random;
    private volatile List<Entry> entries = List.of();
    private volatile List<NodeId> targets = List.of();
    private long refreshes;

    /** @param verifier checks the forwarding certificates in the peers' cards */
    public ForwardingPool(Settings settings, CertificateVerifier verifier, RandomGenerator random) {
        this.settings = settings;
        this.checks = new CardChecks(verifier);
        this.random = random;
    }

    /**
     * Looks up {@link Settings#lookups()} random ids through {@code lookup}, asks every peer they returned for
     * its card through {@code probe}, and makes the pool of those whose card checks.
     */
    synchronized CompletableFuture<List<Entry>> refresh(Function<NodeId, CompletableFuture<LookupResult>> lookup,
                                                        Function<Contact, CompletableFuture<byte[]>> probe) {
        List<NodeId> ids = new ArrayList<>(settings.lookups());
        List<CompletableFuture<LookupResult>> results = new ArrayList<>(settings.lookups());
        for (int i = 0; i < settings.lookups(); i++) {
            NodeId id = NodeId.random(random);
            ids.add(id);
            results.add(lookup.apply(id));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            Map<NodeId, CompletableFuture<Entry>> found = new LinkedHashMap<>();
            for (CompletableFuture<LookupResult> r : results) {
                LookupResult result = r.join();
                for (Contact c : result.closest()) {
                    found.computeIfAbsent(c.id(), id -> probe.apply(c).handle((card, failure) -> admit(c, card, result.target())));
                }
            }
            return CompletableFuture.allOf(found.values().toArray(CompletableFuture[]::new)).thenApply(all -> install(ids,
                    found.values().stream().map(CompletableFuture::join).filter(Objects::nonNull)
                            .collect(Collectors.toCollection(ArrayList::new))));
        });
    }

    /** The member {@code contact} makes with {@code card} (null: it did not answer), or null, counted, if it is refused. */
    private Entry admit(Contact contact, byte[] card, NodeId foundBy) {
        try {
            return new Entry(contact, checks.check(card, contact), foundBy);
        } catch (BadCard e) {
            return null;
        }
    }

    private synchronized List<Entry> install(List<NodeId> ids, List<Entry> found) {
        Collections.shuffle(found, random);
        entries = List.copyOf(found.subList(0, Math.min(settings.size(), found.size())));
        targets = List.copyOf(ids);
        refreshes++;
        return entries;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The members' relays, what a user agent builds its tunnels through. */
    public List<Hop> hops() {
        return entries.stream().map(Entry::hop).toList();
    }

    /** The random ids the last refresh looked up. */
    public List<NodeId> targets() {
        return targets;
    }

    public synchronized long refreshes() {
        return refreshes;
    }

    /** Peers the lookups returned but the pool refused, by reason. */
    public Map<BadCard.Reason, Long> refused() {
        return checks.refused();
    }

    /** The verifier the cards' certificates are checked with. */
    CertificateVerifier verifier() {
        return checks.verifier();
    }
}
