package dev.d2r2.p2psip.overlay;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.LookupResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The peers a user agent picks its tunnels' hops from. The seed's rule: the pool comes from
 * lookups of random ids, never from the routing table — a table fills with the peers that
 * contacted us, which an adversary can arrange to be its own; a random id's closest peers it
 * cannot choose without controlling that region of the id space. Each refresh throws the old
 * pool away.
 */
public final class ForwardingPool {
    /** A pool member and the random id whose lookup returned it. */
    public record Entry(Contact contact, NodeId foundBy) {
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
    private final RandomGenerator random;
    private volatile List<Entry> entries = List.of();
    private volatile List<NodeId> targets = List.of();
    private long refreshes;

    public ForwardingPool(Settings settings, RandomGenerator random) {
        this.settings = settings;
        this.random = random;
    }

    /** Looks up {@link Settings#lookups()} random ids through {@code lookup} and makes the pool of what they returned. */
    synchronized CompletableFuture<List<Entry>> refresh(Function<NodeId, CompletableFuture<LookupResult>> lookup) {
        List<NodeId> ids = new ArrayList<>(settings.lookups());
        List<CompletableFuture<LookupResult>> results = new ArrayList<>(settings.lookups());
        for (int i = 0; i < settings.lookups(); i++) {
            NodeId id = NodeId.random(random);
            ids.add(id);
            results.add(lookup.apply(id));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<NodeId, Entry> found = new LinkedHashMap<>();
            for (CompletableFuture<LookupResult> r : results) {
                LookupResult result = r.join();
                for (Contact c : result.closest()) {
                    found.putIfAbsent(c.id(), new Entry(c, result.target()));
                }
            }
            return install(ids, new ArrayList<>(found.values()));
        });
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

    /** The random ids the last refresh looked up. */
    public List<NodeId> targets() {
        return targets;
    }

    public synchronized long refreshes() {
        return refreshes;
    }
}
