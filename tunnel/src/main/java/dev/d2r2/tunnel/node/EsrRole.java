package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.tunnel.events.DnMapReported;
import dev.d2r2.tunnel.events.EsrRouteChanged;
import dev.d2r2.tunnel.events.EsrStatus;
import dev.d2r2.tunnel.wire.Control;
import dev.d2r2.tunnel.wire.Drop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The edge service router (thesis §3.1): it keeps the EN-to-DN map from the DNs' reports and routes
 * each EN's address through the DN that carries it. When two DNs claim an EN (the one it left has
 * not noticed yet), the DN that started carrying it last wins: that is where the EN sends now. A
 * DN silent for {@code expire-after} carries nothing any more; the route of an EN no DN has carried
 * for a quarter of {@code expire-after} is removed.
 * Route changes the kernel refuses are counted and retried on the next sweep.
 */
final class EsrRole implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(EsrRole.class);

    /** A DN's report as the pump read it: its GRE sequence number and its content. */
    record Report(int sequence, Control.Carriers carriers) {
    }

    /** A DN's {@code tunnel.dn.map} event from the broker, and the identity the broker authenticated as its publisher. */
    record MapReport(String publisher, DnMapReported report) {
    }

    /** A {@code tunnel.dn.map} event that could not be read. */
    record MapMalformed(String why) {
    }

    private static final class Dn {
        final String name;
        final String via;
        final String identity;
        boolean heard;
        int lastSequence;
        long heardAt;
        boolean mapped;
        long lastMapSeq;
        /** Each EN address this DN carries, with the order in which the ESR learned it (higher is later). */
        final Map<Integer, Long> carried = new HashMap<>();

        Dn(String name, String via, String identity) {
            this.name = name;
            this.via = via;
            this.identity = identity;
        }
    }

    private final String name;
    private final Map<String, Dn> dns = new LinkedHashMap<>();
    private final ReturnRoutes routes;
    private final Clock clock;
    private final Consumer<Event> events;
    private final long expireAfterMillis;
    private final long sweepEveryMillis;
    private final long statusEveryMillis;
    private final Map<Integer, Dn> routed = new HashMap<>();
    /** Routed addresses no DN carries, since when: a route goes only after {@code hold}, so that a failback's release,
     * which may reach the ESR before the new carrier's report, does not cut the traffic in between. */
    private final Map<Integer, Long> unclaimedSince = new HashMap<>();
    private final long holdMillis;
    private long learned;
    private boolean retry;
    private long nextSweepAt;
    private long nextStatusAt;
    private long reports;
    private long malformed;
    private long unauthenticated;
    private long unknownDn;
    private long stale;
    private long routeErrors;
    private long mapReports;
    private long mapMalformed;
    private long mapUnauthenticated;
    private long mapUnknownDn;
    private long mapStale;

    EsrRole(EsrConfig config, ReturnRoutes routes, Clock clock, Consumer<Event> events) {
        this.name = config.name();
        config.dns().forEach(h -> dns.put(h.name(), new Dn(h.name(), h.via(), h.identityOrName())));
        this.routes = routes;
        this.clock = clock;
        this.events = events;
        this.expireAfterMillis = config.expireAfterMillis();
        this.sweepEveryMillis = Math.max(10, expireAfterMillis / 4);
        this.holdMillis = sweepEveryMillis;
        this.statusEveryMillis = config.statusEveryMillis();
        long now = clock.millis();
        this.nextSweepAt = now + sweepEveryMillis;
        this.nextStatusAt = now + statusEveryMillis;
    }

    @Override
    public String roleName() {
        return "tunnel-esr-" + name;
    }

    @Override
    public long nextDueMillis() {
        return Math.min(nextSweepAt, nextStatusAt);
    }

    @Override
    public void onTimer(long now) {
        if (now >= nextSweepAt) {
            nextSweepAt = now + sweepEveryMillis;
            boolean expired = false;
            for (Dn dn : dns.values()) {
                // only a DN that reports on the UDP port can fall silent; its map events come on changes only
                if (dn.heard && !dn.carried.isEmpty() && now - dn.heardAt >= expireAfterMillis) {
                    LOG.warn("{}: {} silent for {} ms: it carries nothing any more", name, dn.name, now - dn.heardAt);
                    dn.carried.clear();
                    expired = true;
                }
            }
            if (expired || retry || !unclaimedSince.isEmpty()) {
                reconcile(expired ? "expired" : "retry", now);
            }
        }
        if (now >= nextStatusAt) {
            nextStatusAt = now + statusEveryMillis;
            events.accept(new EsrStatus(now, name, routed.size(), reports, malformed, unauthenticated, unknownDn, stale, routeErrors,
                    new EsrStatus.MapCounts(mapReports, mapMalformed, mapUnauthenticated, mapUnknownDn, mapStale)).toEvent());
        }
    }

    @Override
    public void onMessage(Object message) {
        switch (message) {
            case Report r -> report(r, clock.millis());
            case MapReport m -> map(m, clock.millis());
            case MapMalformed m -> {
                mapMalformed++;
                LOG.debug("{}: malformed map event: {}", name, m.why());
            }
            case Drop d when d == Drop.MALFORMED -> malformed++;
            case Drop d -> unauthenticated++;
            default -> malformed++;
        }
    }

    private void report(Report r, long now) {
        Dn dn = dns.get(r.carriers().dn());
        if (dn == null) {
            unknownDn++;
            return;
        }
        if (dn.heard && r.sequence() - dn.lastSequence <= 0) {
            stale++;
            return;
        }
        dn.heard = true;
        dn.lastSequence = r.sequence();
        dn.heardAt = now;
        reports++;
        carries(dn, new HashSet<>(r.carriers().addresses()));
        reconcile("report", now);
    }

    /**
     * A DN's map event from the broker: taken only from the identity configured for the DN it names, and only if
     * newer than the last one taken from that DN (a replay after a restart of the ESR starts afresh).
     */
    private void map(MapReport m, long now) {
        DnMapReported r = m.report();
        Dn dn = dns.get(r.dn());
        if (dn == null) {
            mapUnknownDn++;
            return;
        }
        if (!dn.identity.equals(m.publisher())) {
            mapUnauthenticated++;
            LOG.warn("{}: a map event for {} published by {}, not by {}: refused", name, dn.name, m.publisher(), dn.identity);
            return;
        }
        if (dn.mapped && r.seq() <= dn.lastMapSeq) {
            mapStale++;
            return;
        }
        dn.mapped = true;
        dn.lastMapSeq = r.seq();
        mapReports++;
        Set<Integer> carried = new HashSet<>();
        r.carrying().forEach(a -> carried.add((int) DnMapReported.ipv4(a)));
        carries(dn, carried);
        reconcile("map", now);
    }

    /** Sets what a DN carries; an address new to it is learned now, after every claim learned before. */
    private void carries(Dn dn, Set<Integer> addresses) {
        dn.carried.keySet().retainAll(addresses);
        for (int address : addresses) {
            dn.carried.computeIfAbsent(address, a -> ++learned);
        }
    }

    /** Points every carried address's route at its latest carrier, and removes the routes of addresses no DN carries. */
    private void reconcile(String reason, long now) {
        retry = false;
        Map<Integer, Dn> wanted = new HashMap<>();
        Map<Integer, Long> order = new HashMap<>();
        for (Dn dn : dns.values()) {
            dn.carried.forEach((address, when) -> {
                if (order.getOrDefault(address, -1L) < when) {
                    order.put(address, when);
                    wanted.put(address, dn);
                }
            });
        }
        for (Map.Entry<Integer, Dn> e : wanted.entrySet()) {
            Dn before = routed.get(e.getKey());
            if (before == e.getValue()) {
                continue;
            }
            try {
                routes.replace(e.getKey(), e.getValue().via);
                routed.put(e.getKey(), e.getValue());
                changed(now, before, e.getValue(), reason, e.getKey());
            } catch (IOException x) {
                routeErrors++;
                retry = true;
                LOG.warn("{}: routing {} via {} failed (retried): {}", name, Ipv4.text(e.getKey()), e.getValue().via, x.getMessage());
            }
        }
        unclaimedSince.keySet().retainAll(routed.keySet());
        unclaimedSince.keySet().removeAll(wanted.keySet());
        for (int address : new ArrayList<>(routed.keySet())) {
            if (!wanted.containsKey(address) && now - unclaimedSince.computeIfAbsent(address, a -> now) >= holdMillis) {
                unclaimedSince.remove(address);
                Dn before = routed.remove(address);
                try {
                    routes.remove(address);
                } catch (IOException x) {
                    routeErrors++;
                    LOG.warn("{}: removing the route of {} failed: {}", name, Ipv4.text(address), x.getMessage());
                }
                changed(now, before, null, "unclaimed", address);
            }
        }
    }

    private void changed(long now, Dn from, Dn to, String reason, int address) {
        LOG.info("{}: {} via {}", name, Ipv4.text(address), to == null ? "nothing" : to.name);
        events.accept(new EsrRouteChanged(now, name, from == null ? EsrRouteChanged.NONE : from.name,
                to == null ? EsrRouteChanged.NONE : to.name, reason, Ipv4.text(address), to == null ? EsrRouteChanged.NONE : to.via).toEvent());
    }
}
