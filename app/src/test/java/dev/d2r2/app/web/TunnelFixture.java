package dev.d2r2.app.web;

import dev.d2r2.tunnel.events.DnCarrierChanged;
import dev.d2r2.tunnel.events.EnDnChanged;
import dev.d2r2.tunnel.events.EnSessionChanged;
import dev.d2r2.tunnel.events.EsrRouteChanged;
import dev.d2r2.tunnel.events.PathScored;
import dev.d2r2.tunnel.events.PathSwitched;

/**
 * For the dashboard's tests: an EN's life as the tunnel roles publish it on the {@code tunnel}
 * channel — en1 (tunnel 1, 10.77.1.1) on dn1 with two uplinks, then dn1 lost and the EN on dn2,
 * the ESR's route following, and the uplink p1 degraded so that p2 takes the traffic.
 */
final class TunnelFixture {
    static final String CHANNEL = "tunnel";
    static final String ADDRESS = "10.77.1.1";

    private TunnelFixture() {
    }

    /** en1 connected to dn1, both sessions up, dn1 carrying, the ESR routing via dn1, p1 the better path. */
    static void connected(Observatory o, long t) {
        session(o, t, "dn1", true, "down", "up");
        session(o, t + 1, "dn2", false, "down", "up");
        o.accept(CHANNEL, new EnDnChanged(t + 2, "en1", EnDnChanged.NONE, "dn1", "connected", ADDRESS, 1).toEvent());
        o.accept(CHANNEL, new DnCarrierChanged(t + 3, "dn1", DnCarrierChanged.STANDBY, DnCarrierChanged.CARRYING, "data", ADDRESS, 1)
                .toEvent());
        o.accept(CHANNEL, new EsrRouteChanged(t + 4, "esr1", EsrRouteChanged.NONE, "dn1", "report", ADDRESS, "10.3.1.2").toEvent());
        o.accept(CHANNEL, new PathSwitched(t + 5, "en1", PathSwitched.NONE, "p1", "up", "dn1", "primary-backup").toEvent());
        scores(o, t + 6, 0.0, "p1");
    }

    /** dn1 dies: its session goes down, the EN fails over to dn2, dn2 carries, the route moves. */
    static void failover(Observatory o, long t) {
        session(o, t, "dn1", true, "up", "down");
        o.accept(CHANNEL, new EnDnChanged(t + 1, "en1", "dn1", "dn2", EnDnChanged.FAILOVER, ADDRESS, 1).toEvent());
        o.accept(CHANNEL, new DnCarrierChanged(t + 2, "dn2", DnCarrierChanged.STANDBY, DnCarrierChanged.CARRYING, "moved", ADDRESS, 1)
                .toEvent());
        o.accept(CHANNEL, new EsrRouteChanged(t + 3, "esr1", "dn1", "dn2", "report", ADDRESS, "10.3.2.2").toEvent());
    }

    /** p1 loses a fifth of its probes: p2 wins and takes the traffic. */
    static void p1Lossy(Observatory o, long t) {
        o.accept(CHANNEL, new PathSwitched(t, "en1", "p1", "p2", "better", "dn2", "primary-backup").toEvent());
        scores(o, t + 1, 0.2, "p2");
    }

    private static void scores(Observatory o, long t, double p1Loss, String active) {
        o.accept(CHANNEL, new PathScored(t, "en1", "p1", true, 900, 40, p1Loss, 1.0, 0.9 + 10 * p1Loss, active.equals("p1") ? 1 : 0,
                100, 99).toEvent());
        o.accept(CHANNEL, new PathScored(t, "en1", "p2", true, 1_400, 60, 0.0, 1.0, 1.52, active.equals("p2") ? 1 : 0, 10, 10)
                .toEvent());
    }

    private static void session(Observatory o, long t, String dn, boolean primary, String from, String to) {
        o.accept(CHANNEL, new EnSessionChanged(t, "en1", from, to, dn, primary, 1).toEvent());
    }
}
