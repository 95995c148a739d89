package dev.d2r2.tunnel.events;

import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.required;

/** Every event type the tunnel roles publish. */
public final class TunnelEvents implements EventCatalogue {
    private static final String CHANNEL = "the channel given with --channel (printed on stdout always)";

    public static final EventType EN_DN = new EventType("tunnel.en.dn", EventType.Kind.STATE, "tunnel EN", CHANNEL,
            "the EN's name",
            List.of(required(EnDnChanged.REASON, String.class,
                            "connected (the first DN), failover (to a secondary), failback (to the primary), "
                                    + "distrusted (the DN left fell below refuse-below), data (the DN left was Up on BFD but returned no data "
                                    + "for data-silence) or lost (no DN left)"),
                    required(EnDnChanged.ADDRESS, String.class, "the EN's tunnel address (assigned by its primary DN)"),
                    required(EnDnChanged.TUNNEL, Long.class, "the tunnel id (the GRE key)")),
            "The DN an EN sends through changed: from and to are DN names, or none.",
            "{\"type\":\"tunnel.en.dn\",\"time\":1000,\"source\":\"en1\",\"from\":\"dn1\",\"to\":\"dn2\","
                    + "\"attrs\":{\"reason\":\"failover\",\"address\":\"10.77.1.2\",\"tunnel\":1}}");

    public static final EventType EN_SESSION = new EventType("tunnel.en.session", EventType.Kind.STATE, "tunnel EN", CHANNEL,
            "the EN's name",
            List.of(required(EnSessionChanged.DN, String.class, "the DN's name"),
                    required(EnSessionChanged.PRIMARY, Boolean.class, "whether it is the EN's primary DN"),
                    required(EnSessionChanged.TUNNEL, Long.class, "the tunnel id")),
            "The BFD state of an EN's session with one DN changed: from and to are down, init or up.",
            "{\"type\":\"tunnel.en.session\",\"time\":1000,\"source\":\"en1\",\"from\":\"up\",\"to\":\"down\","
                    + "\"attrs\":{\"dn\":\"dn1\",\"primary\":true,\"tunnel\":1}}");

    public static final EventType DN_CARRIER = new EventType("tunnel.dn.carrier", EventType.Kind.STATE, "tunnel DN", CHANNEL,
            "the DN's name",
            List.of(required(DnCarrierChanged.REASON, String.class, "data (the EN's traffic arrived), moved (the EN said it moved its traffic here), release, hello, bfd-down or fenced"),
                    required(DnCarrierChanged.ADDRESS, String.class, "the EN's tunnel address"),
                    required(DnCarrierChanged.TUNNEL, Long.class, "the EN's tunnel id")),
            "A DN's entry in the EN-to-DN map: standby → carrying when it starts carrying an EN's traffic (and announces "
                    + "its address), carrying → standby when it stops.",
            "{\"type\":\"tunnel.dn.carrier\",\"time\":1000,\"source\":\"dn2\",\"from\":\"standby\",\"to\":\"carrying\","
                    + "\"attrs\":{\"reason\":\"data\",\"address\":\"10.77.1.2\",\"tunnel\":1}}");

    public static final EventType DN_MAP = new EventType("tunnel.dn.map", EventType.Kind.MESSAGE, "tunnel DN", CHANNEL,
            "the DN's name (the ESR takes it only from the DN's own broker identity)",
            List.of(required(DnMapReported.SEQ, Long.class, "the DN's report number: rises with every report, across restarts"),
                    required(DnMapReported.CHANGE, String.class,
                            "attach (it started carrying address: the EN attached, failed over or failed back to it), release "
                                    + "(it stopped) or start (the DN started, carrying nothing)"),
                    required(DnMapReported.REASON, String.class, "the DN's cause, as in tunnel.dn.carrier (start for a start)"),
                    required(DnMapReported.ADDRESS, String.class, "the EN address that changed, or none for a start"),
                    required(DnMapReported.CARRYING, String.class, "every EN address the DN carries now, comma-separated (may be empty)")),
            "A DN's whole entry in the EN-to-DN map, published on every change: what an edge service router with --map-from "
                    + "builds its map from, and replays after a restart.",
            "{\"type\":\"tunnel.dn.map\",\"time\":1000,\"source\":\"dn2\",\"attrs\":{\"seq\":1765000000000000,"
                    + "\"change\":\"attach\",\"reason\":\"moved\",\"address\":\"10.77.1.2\",\"carrying\":\"10.77.1.2,10.77.1.7\"}}");

    public static final EventType DN_SUSPECTED = new EventType("tunnel.dn.suspected", EventType.Kind.STATE, "tunnel DN-FD", CHANNEL,
            "the failure detector's name",
            List.of(required(DnSuspected.DN, String.class, "the watched DN's name"),
                    required(DnSuspected.REASON, String.class,
                            "control (its BFD session went down), data (BFD Up, but the detector's probes no longer come back "
                                    + "through its data path) or answering (alive again, or for the first time)")),
            "A DN failure detector's verdict on one DN changed: from and to are unknown, alive or suspected. A DN "
                    + "suspected for data is alive on the control path but drops traffic: the policy engine's cue to fence it.",
            "{\"type\":\"tunnel.dn.suspected\",\"time\":1000,\"source\":\"fd2\",\"from\":\"alive\",\"to\":\"suspected\","
                    + "\"attrs\":{\"dn\":\"dn1\",\"reason\":\"data\"}}");

    public static final EventType ESR_ROUTE = new EventType("tunnel.esr.route", EventType.Kind.STATE, "tunnel ESR", CHANNEL,
            "the ESR's name",
            List.of(required(EsrRouteChanged.REASON, String.class,
                            "report (a DN's report changed the EN-to-DN map), map (a DN's tunnel.dn.map event from the broker did), expired (the DN carrying it fell silent), retry "
                                    + "(a change the kernel refused before went through) or unclaimed (no DN has carried it for a "
                                    + "quarter of expire-after: the route is removed)"),
                    required(EsrRouteChanged.ADDRESS, String.class, "the EN's tunnel address (a /32 route)"),
                    required(EsrRouteChanged.VIA, String.class, "the next hop the route now points at, or none")),
            "The edge service router moved an EN's return route: from and to are DN names, or none. The route follows "
                    + "the DN that most recently started carrying the EN.",
            "{\"type\":\"tunnel.esr.route\",\"time\":1000,\"source\":\"esr1\",\"from\":\"dn1\",\"to\":\"dn2\","
                    + "\"attrs\":{\"reason\":\"report\",\"address\":\"10.77.1.1\",\"via\":\"10.3.2.2\"}}");

    public static final EventType ESR_STATUS = new EventType("tunnel.esr.status", EventType.Kind.MESSAGE, "tunnel ESR", CHANNEL,
            "the ESR's name",
            List.of(required(EsrStatus.ROUTES, Long.class, "return routes installed now"),
                    required(EsrStatus.REPORTS, Long.class, "DN reports accepted"),
                    required(EsrStatus.MALFORMED, Long.class, "datagrams dropped as malformed (not a frame, or not a report)"),
                    required(EsrStatus.UNAUTHENTICATED, Long.class, "datagrams dropped: tag does not verify, or another tunnel id"),
                    required(EsrStatus.UNKNOWN_DN, Long.class, "authenticated reports from a DN not in the configuration"),
                    required(EsrStatus.STALE, Long.class, "reports dropped as no newer than the last one from their DN (replays)"),
                    required(EsrStatus.ROUTE_ERRORS, Long.class, "route changes the kernel refused (retried)"),
                    required(EsrStatus.MAP_REPORTS, Long.class, "tunnel.dn.map events accepted from the broker (--map-from)"),
                    required(EsrStatus.MAP_MALFORMED, Long.class, "tunnel.dn.map events refused as malformed"),
                    required(EsrStatus.MAP_UNAUTHENTICATED, Long.class,
                            "tunnel.dn.map events refused: not published by the broker identity of the DN they name"),
                    required(EsrStatus.MAP_UNKNOWN_DN, Long.class, "tunnel.dn.map events naming a DN not in the configuration"),
                    required(EsrStatus.MAP_STALE, Long.class, "tunnel.dn.map events no newer (seq) than the last from their DN")),
            "An edge service router's counters, every statusEvery.",
            "{\"type\":\"tunnel.esr.status\",\"time\":1000,\"source\":\"esr1\",\"attrs\":{\"routes\":12,\"reports\":5000,"
                    + "\"malformed\":2,\"unauthenticated\":1,\"unknownDn\":0,\"stale\":0,\"routeErrors\":0,\"mapReports\":40,"
                    + "\"mapMalformed\":0,\"mapUnauthenticated\":1,\"mapUnknownDn\":0,\"mapStale\":3}}");

    public static final EventType STATUS = new EventType("tunnel.status", EventType.Kind.MESSAGE, "tunnel EN or DN", CHANNEL,
            "the node's name",
            List.of(required(TunnelStatus.ROLE, String.class, "en or dn"),
                    required(TunnelStatus.SENT, Long.class, "frames sent on the tunnel port"),
                    required(TunnelStatus.RECEIVED, Long.class, "frames received and accepted"),
                    required(TunnelStatus.MALFORMED, Long.class, "datagrams dropped as malformed"),
                    required(TunnelStatus.UNAUTHENTICATED, Long.class, "datagrams dropped: tag does not verify"),
                    required(TunnelStatus.UNKNOWN_TUNNEL, Long.class, "authenticated frames for a tunnel with no session here"),
                    required(TunnelStatus.NO_ROUTE, Long.class, "packets out of the TUN device with no EN (or DN) to carry them"),
                    required(TunnelStatus.REPLAYED, Long.class, "authenticated frames dropped as replays (a sequence number seen "
                            + "already or older than the window)")),
            "A tunnel node's counters, every statusEvery.",
            "{\"type\":\"tunnel.status\",\"time\":1000,\"source\":\"dn1\",\"attrs\":{\"role\":\"dn\",\"sent\":5000,"
                    + "\"received\":5010,\"malformed\":2,\"unauthenticated\":1,\"unknownTunnel\":0,\"noRoute\":0,\"replayed\":0}}");

    @Override
    public String module() {
        return "tunnel";
    }

    @Override
    public List<EventType> types() {
        return List.of(EN_DN, EN_SESSION, DN_CARRIER, DN_MAP, DN_SUSPECTED, ESR_ROUTE, ESR_STATUS, STATUS);
    }
}
