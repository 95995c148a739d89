package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The edge's backends: the list (replaced whole on a change, read without a lock), their
 * changes reported, their health as their answers show it, and the choice of a backend for a
 * request by rendezvous hashing of its affinity key, weighted by capacity.
 */
final class BackendSet {
    private static final Logger LOG = LoggerFactory.getLogger(BackendSet.class);
    /** 503 answers in a row that take a backend down. */
    static final int DOWN_AFTER_503 = 3;
    /** How long RFC 7339 overload feedback holds without an {@code oc-validity}. */
    static final long OC_VALIDITY_MS = 500;

    private final Clock clock;
    private final EdgeCounters counters;
    private final Consumer<BackendEvent> changes;
    private volatile List<Backend> backends;
    /** Where moved backends went: their old address → the backend now serving their dialogs. */
    private final Map<InetSocketAddress, Backend> moved = new ConcurrentHashMap<>();

    BackendSet(List<Backend> initial, Clock clock, EdgeCounters counters, Consumer<BackendEvent> changes) {
        this.backends = List.copyOf(initial);
        this.clock = clock;
        this.counters = counters;
        this.changes = changes;
    }

    List<Backend> all() {
        return backends;
    }

    void report(BackendEvent e) {
        counters.count(switch (e.state()) {
            case "added" -> EdgeCounter.BACKEND_ADDED;
            case "removed" -> EdgeCounter.BACKEND_REMOVED;
            case "weight" -> EdgeCounter.BACKEND_WEIGHT;
            case "draining" -> EdgeCounter.BACKEND_DRAINING;
            case "drained" -> EdgeCounter.BACKEND_DRAINED;
            case "moved" -> EdgeCounter.BACKEND_MOVED;
            case "down" -> EdgeCounter.BACKEND_DOWN;
            case "up" -> EdgeCounter.BACKEND_UP;
            default -> throw new IllegalArgumentException("no backend state " + e.state());
        });
        if (e.state().equals("down")) {
            LOG.warn("edge: backend {} is down ({}): new calls go to the others, or get 503 when none is left",
                    e.backend().id(), e.why());
        } else {
            LOG.info("edge: backend {} {} ({})", e.backend().id(), e.state(), e.why());
        }
        changes.accept(e);
    }

    /** Adds a backend (or changes the weight of the one at the same address). */
    synchronized Backend add(InetSocketAddress address, double weight) {
        Backend fresh = new Backend(address, weight);
        Backend current = byId(fresh.id());
        if (current != null) {
            current.weight(weight);
            report(new BackendEvent(current, "weight", "weight " + weight));
            return current;
        }
        List<Backend> next = new ArrayList<>(backends);
        next.add(fresh);
        backends = List.copyOf(next);
        report(new BackendEvent(fresh, "added", "weight " + weight));
        return fresh;
    }

    synchronized boolean remove(String id) {
        Backend b = byId(id);
        if (b == null) {
            return false;
        }
        List<Backend> next = new ArrayList<>(backends);
        next.remove(b);
        backends = List.copyOf(next);
        report(new BackendEvent(b, "removed", "by request"));
        return true;
    }

    /**
     * The backend {@code id} now serves at {@code address} (a live migration moved it): a backend
     * at the new address takes its place, weight and dialog limit at once, and the old address
     * stays known as the new backend's, so that the dialogs whose Record-Route names it follow.
     * Null when there is no backend {@code id}.
     *
     * @throws IllegalArgumentException when a backend is at {@code address} already
     */
    synchronized Backend move(String id, InetSocketAddress address) {
        Backend old = byId(id);
        if (old == null) {
            return null;
        }
        Backend fresh = new Backend(address, old.weight(), old.maxDialogs());
        if (byId(fresh.id()) != null) {
            throw new IllegalArgumentException("a backend is at " + fresh.id() + " already");
        }
        List<Backend> next = new ArrayList<>(backends);
        next.set(next.indexOf(old), fresh);
        backends = List.copyOf(next);
        moved.replaceAll((from, to) -> to == old ? fresh : to);
        moved.put(old.address(), fresh);
        moved.remove(address);
        report(new BackendEvent(fresh, "moved", "from " + old.id()));
        return fresh;
    }

    /** The backend a dialog's Record-Route naming {@code a} goes to: the one at {@code a}, or where it moved; null for none. */
    /** The backend whose id ({@code host:port}) is {@code b[from, to)}, or null. */
    Backend withId(byte[] b, int from, int to) {
        List<Backend> all = backends;
        for (int i = 0; i < all.size(); i++) {
            byte[] id = all.get(i).idBytes;
            if (java.util.Arrays.equals(b, from, to, id, 0, id.length)) {
                return all.get(i);
            }
        }
        return null;
    }

    Backend serving(InetSocketAddress a) {
        Backend b = at(a);
        return b != null ? b : moved.get(a);
    }

    boolean drain(String id) {
        Backend b = byId(id);
        if (b == null) {
            return false;
        }
        b.draining = true;
        report(new BackendEvent(b, "draining", b.activeDialogs() + " dialogs left"));
        if (b.activeDialogs() == 0) {
            report(new BackendEvent(b, "drained", "no dialog left"));
        }
        return true;
    }

    /** One of {@code b}'s dialogs ended. */
    void released(Backend b, String why) {
        if (b.dialogs.decrementAndGet() == 0 && b.draining) {
            report(new BackendEvent(b, "drained", why));
        }
    }

    Backend byId(String id) {
        for (Backend b : backends) {
            if (b.id().equals(id)) {
                return b;
            }
        }
        return null;
    }

    /** The backend at {@code a}, or null (a client). */
    Backend at(InetSocketAddress a) {
        List<Backend> all = backends;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).address().equals(a)) {
                return all.get(i);
            }
        }
        return null;
    }

    /**
     * What a backend's answer says of its health: any but 503 that it is alive (for the
     * {@link Prober}), {@value #DOWN_AFTER_503} answers 503 in a row that it is not,
     * and RFC 7339 overload feedback ({@code ocPercent} of new requests to shed, -1 for none, for
     * {@code ocValidityMs}, -1 for the default).
     */
    void answered(Backend b, int status, int ocPercent, long ocValidityMs) {
        b.awaitingSince = 0;
        if (status >= 200) {
            b.finalAnswers.increment();
            if (status >= 500) {
                b.errorAnswers.increment();
            }
        }
        long now = clock.millis();
        if (status == 503) {
            if (++b.consecutive503 >= DOWN_AFTER_503 && b.markDown(now)) {
                report(new BackendEvent(b, "down", DOWN_AFTER_503 + " answers 503 in a row"));
            }
        } else {
            b.consecutive503 = 0;
            b.lastAnswerMs = now;
        }
        if (ocPercent >= 0) {
            b.ocPercent = Math.min(100, ocPercent);
            b.ocUntil = now + (ocValidityMs >= 0 ? ocValidityMs : OC_VALIDITY_MS);
        }
    }

    /** A request was forwarded to {@code b} (counted): it now waits for an answer, if none did. */
    void awaiting(Backend b) {
        b.requests.increment();
        if (b.awaitingSince == 0) {
            b.awaitingSince = clock.millis();
        }
    }

    /**
     * The backend for a request whose affinity key hashes to {@code key}, among those up: for an
     * in-dialog request, the highest-scoring one; for a new dialog, skipping draining and
     * saturated backends and those shedding load (RFC 7339 {@code oc}), or for
     * {@link Affinity#LEAST_DIALOGS} the least loaded for its weight. Null when none is left.
     * One pass over the list (by index: no iterator), no allocation.
     */
    Backend choose(long key, Affinity affinity, boolean newDialog) {
        long now = newDialog ? clock.millis() : 0;
        boolean leastLoaded = newDialog && affinity == Affinity.LEAST_DIALOGS;
        Backend best = null;
        double bestLoad = 0;
        double bestScore = 0;
        boolean anyUp = false;
        List<Backend> all = backends;
        for (int i = 0; i < all.size(); i++) {
            Backend b = all.get(i);
            if (!b.up() || newDialog && b.draining) {
                continue;
            }
            anyUp = true;
            if (newDialog && (b.saturated() || sheds(b, now))) {
                continue;
            }
            double score = b.score(key);
            double load = leastLoaded ? b.activeDialogs() / b.weight() : 0;
            if (best == null || load < bestLoad || load == bestLoad && score > bestScore) {
                best = b;
                bestLoad = load;
                bestScore = score;
            }
        }
        if (best == null && anyUp && newDialog) {
            counters.count(EdgeCounter.ADMISSION_REFUSED);
        }
        return best;
    }

    private static boolean sheds(Backend b, long now) {
        int oc = b.ocUntil > now ? b.ocPercent : 0;
        return oc > 0 && ThreadLocalRandom.current().nextInt(100) < oc;
    }
}
