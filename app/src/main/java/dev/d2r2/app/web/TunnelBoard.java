package dev.d2r2.app.web;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventType;
import dev.d2r2.tunnel.events.DnCarrierChanged;
import dev.d2r2.tunnel.events.EnDnChanged;
import dev.d2r2.tunnel.events.EnSessionChanged;
import dev.d2r2.tunnel.events.EsrRouteChanged;
import dev.d2r2.tunnel.events.PathEvents;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.PathSwitched;
import dev.d2r2.tunnel.events.TunnelEvents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The tunnels as the tunnel module's events tell (docs/tunnels.md): per EN, or multihomed
 * endpoint, the DN it sends through and why, its failovers and failbacks, its BFD session with
 * each DN, the path it sends on and every path's last score; which DNs carry its address, and
 * where the edge service router routes it. Not thread-safe: the {@link Observatory} owns it.
 */
public final class TunnelBoard {
    /** Tunnels remembered, the one silent longest going first. */
    static final int TUNNELS = 500;

    /** The event types of the tunnel module, all of them (for the lane) and those the board reads. */
    private static final List<EventType> ALL = Stream.concat(new TunnelEvents().types().stream(), new PathEvents().types().stream())
            .toList();

    /** An EN's BFD session with one DN. */
    public record Session(String dn, boolean primary, String state, long since) {
    }

    /** One path of a multihomed sender, as last scored; {@code active}: the one it sends on (the leader, in concurrent mode). */
    public record Path(String path, boolean up, long rttMicros, long jitterMicros, double loss, double trust, double cost, long weight,
                boolean active, long time) {
    }

    /** Where the ESR routes an EN's address: the DN, its next hop, since when. */
    public record Route(String esr, String dn, String via, long since) {
    }

    /** One tunnel as shown. {@code tunnel} and {@code address} are null for a {@code tunnel mh} endpoint. */
    public record Tunnel(String name, Long tunnel, String address, String dn, String reason, long since, long failovers, long failbacks,
                  List<Session> sessions, String path, String peer, long switches, List<Path> paths, List<String> carriers,
                  Route route) {
    }

    private static final class Node {
        final String name;
        Long tunnel;
        String address;
        String dn = EnDnChanged.NONE;
        String reason;
        long since;
        long failovers;
        long failbacks;
        final Map<String, Session> sessions = new TreeMap<>();
        String path = PathSwitched.NONE;
        String peer;
        long switches;
        final Map<String, PathScored> paths = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** EN address → the DNs carrying it now. */
    private final Map<String, TreeSet<String>> carriers = new TreeMap<>();
    /** EN address → its return route. */
    private final Map<String, Route> routes = new TreeMap<>();

    /** Whether {@code type} is one of the tunnel module's events. */
    static boolean isTunnel(String type) {
        return ALL.stream().anyMatch(t -> t.matches(type));
    }

    /** Takes one tunnel event; the others it does not show are ignored. */
    void take(Event e) throws EventFormatException {
        String type = e.type();
        if (TunnelEvents.EN_DN.matches(type)) {
            dn(EnDnChanged.from(e));
        } else if (TunnelEvents.EN_SESSION.matches(type)) {
            EnSessionChanged s = EnSessionChanged.from(e);
            Node n = node(s.en());
            n.tunnel = s.tunnel();
            n.sessions.put(s.dn(), new Session(s.dn(), s.primary(), s.to(), s.time()));
        } else if (TunnelEvents.DN_CARRIER.matches(type)) {
            carrier(DnCarrierChanged.from(e));
        } else if (TunnelEvents.ESR_ROUTE.matches(type)) {
            EsrRouteChanged r = EsrRouteChanged.from(e);
            if (r.to().equals(EsrRouteChanged.NONE)) {
                routes.remove(r.address());
            } else {
                routes.put(r.address(), new Route(r.esr(), r.to(), r.via(), r.time()));
            }
        } else if (PathEvents.SWITCHED.matches(type)) {
            PathSwitched s = PathSwitched.from(e);
            Node n = node(s.endpoint());
            n.path = s.to();
            n.peer = s.peer();
            n.switches++;
        } else if (PathEvents.SCORED.matches(type)) {
            PathScored s = PathScored.from(e);
            node(s.endpoint()).paths.put(s.path(), s);
        }
    }

    private void dn(EnDnChanged c) {
        Node n = node(c.en());
        n.tunnel = c.tunnel();
        n.address = c.address();
        n.dn = c.to();
        n.reason = c.reason();
        n.since = c.time();
        if (c.reason().equals(EnDnChanged.FAILOVER)) {
            n.failovers++;
        } else if (c.reason().equals(EnDnChanged.FAILBACK)) {
            n.failbacks++;
        }
    }

    private void carrier(DnCarrierChanged c) {
        TreeSet<String> dns = carriers.computeIfAbsent(c.address(), a -> new TreeSet<>());
        if (c.to().equals(DnCarrierChanged.CARRYING)) {
            dns.add(c.dn());
        } else {
            dns.remove(c.dn());
        }
        if (dns.isEmpty()) {
            carriers.remove(c.address());
        }
        if (carriers.size() > TUNNELS) {
            carriers.remove(carriers.keySet().iterator().next());
        }
    }

    private Node node(String name) {
        Node n = nodes.remove(name);
        if (n == null) {
            n = new Node(name);
        }
        nodes.put(name, n);
        if (nodes.size() > TUNNELS) {
            nodes.remove(nodes.keySet().iterator().next());
        }
        return n;
    }

    /** Every tunnel, by name. */
    List<Tunnel> tunnels() {
        List<Tunnel> out = new ArrayList<>();
        nodes.values().stream().sorted(java.util.Comparator.comparing(n -> n.name)).forEach(n -> {
            List<Path> paths = n.paths.values().stream().map(s -> new Path(s.path(), s.up(), s.rttMicros(), s.jitterMicros(), s.loss(),
                    s.trust(), s.cost(), s.weight(), s.path().equals(n.path), s.time())).toList();
            List<String> carrying = n.address == null ? List.of() : List.copyOf(carriers.getOrDefault(n.address, new TreeSet<>()));
            Route route = n.address == null ? null : routes.get(n.address);
            out.add(new Tunnel(n.name, n.tunnel, n.address, n.tunnel == null ? null : n.dn, n.reason, n.since, n.failovers, n.failbacks,
                    List.copyOf(n.sessions.values()), n.path, n.peer, n.switches, paths, carrying, route));
        });
        return out;
    }
}
