package dev.d2r2.app.web;

import dev.d2r2.app.demo.Report;
import dev.d2r2.core.Event;
import dev.d2r2.policy.events.ActionDecision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An incident as the roles publish it, for the dashboard's tests: four SIP servers up behind the
 * edge, an INVITE flood from 40 sources (alarms, a FloodingAttack alert that throttles INVITEs,
 * FloodingSuspect alerts that block three of the sources, each through a context), then one
 * server crashes and another is drained. Times are from {@code t0}, epoch ms.
 */
final class FloodAndCrash {
    static final String S1 = "127.0.0.1:5071";
    static final String S2 = "127.0.0.1:5072";
    static final String S3 = "127.0.0.1:5073";
    static final String S4 = "127.0.0.1:5074";
    /** Each server's state once {@link #feed} is done. */
    static final Map<String, String> STATES = Map.of(S1, "up", S2, "up", S3, "down", S4, "draining");
    /** Caused by the FloodingAttack alert, itself caused by two alarms. */
    static final String THROTTLE = "sip-edge/rate-limit/127.1.1.0/24";
    /** Caused by a FloodingSuspect alert, caused by the FloodingAttack alert and the source's rate event. */
    static final String BLOCK = "sip-edge/block/127.1.1.9";
    static final int FLOOD_SOURCES = 40;
    static final int SECONDS = 30;

    private FloodAndCrash() {
    }

    /** Feeds the incident in time order, with the edge's telemetry every second. */
    static void feed(Observatory o, long t0) {
        for (int second = 0; second < SECONDS; second++) {
            switch (second) {
                case 0 -> start(o, t0);
                case 10 -> flood(o, t0 + 10_000);
                case 25 -> {
                    o.note(t0 + 25_000, "crash: SIP server s3 (" + S3 + ") crashes");
                    o.accept("edge", Event.state("sip.edge.backend", t0 + 25_700, S3, "up", "down",
                            Map.of("why", "3 probes unanswered within 200 ms", "dialogs", 9L)));
                }
                case 26 -> o.accept("edge", Event.state("sip.edge.backend", t0 + 26_200, S4, null, "draining",
                        Map.of("why", "12 dialogs left", "dialogs", 12L)));
                default -> {
                }
            }
            traffic(o, t0, second);
        }
    }

    private static void start(Observatory o, long t0) {
        o.note(t0, "normal: legitimate callers place 10 calls/s through the edge");
        for (String s : List.of(S1, S2, S3, S4)) {
            o.accept("edge", Event.state("sip.edge.backend", t0, s, "down", "up", Map.of("why", "3 good probes", "dialogs", 0L)));
        }
    }

    private static void flood(Observatory o, long flood) {
        o.note(flood, "flood: INVITE flood: 2000/s from " + FLOOD_SOURCES + " sources");
        for (int i = 1; i <= FLOOD_SOURCES; i++) {
            o.accept("edge", new Event("edge@" + (100 + i), "sip.source_rate", flood + 400, "127.1.1." + i, "normal", "high",
                    Map.of("src", "127.1.1." + i, "invite_rate", 50.0)));
        }
        o.accept("alarms", new Event("alarms@7", "edge.d2r2_edge_invite_rate", flood + 500, "sip-edge", "ok", "critical", Map.of()));
        o.accept("alarms", new Event("alarms@8", "edge.d2r2_edge_suspect_sources", flood + 600, "sip-edge", "ok", "critical",
                Map.of()));
        o.accept("alerts", new Event("alerts@3", "FloodingAttack", flood + 650, "sip-edge", null, null,
                Map.of("chronicle", "FloodingAttack", "edge", "sip-edge", "events", "alarms@7,alarms@8")));
        remediate(o, flood + 700, "under-attack{edge=sip-edge}", "under-attack", "alerts@3", THROTTLE, "throttle-invites", "127.1.1.0/24");
        for (int i = 7; i <= 9; i++) {
            String alert = "alerts@" + (i - 3);
            o.accept("alerts", new Event(alert, "FloodingSuspect", flood + 800, "127.1.1." + i, null, null,
                    Map.of("chronicle", "FloodingSuspect", "src", "127.1.1." + i, "events", "alerts@3,edge@" + (100 + i))));
            remediate(o, flood + 850 + i, "flooding{attacker=127.1.1." + i + "}", "flooding", alert, "sip-edge/block/127.1.1." + i,
                    "block-flooders", "127.1.1." + i);
        }
    }

    private static void traffic(Observatory o, long t0, int second) {
        boolean flooding = second >= 10 && second < 20;
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("in", flooding ? 2040.0 : 40.0);
        attrs.put("in.INVITE", flooding ? 2010.0 : 10.0);
        attrs.put("in.ACK", 10.0);
        attrs.put("in.BYE", 10.0);
        attrs.put("out", flooding ? 420.0 : 40.0);
        attrs.put("out.2xx", 40.0);
        attrs.put("dropped", flooding ? 1620.0 : 0.0);
        long[] dialogs = {Math.min(30, 3L * second), Math.min(28, 3L * second), second < 26 ? Math.min(29, 3L * second) : 0,
                Math.max(0, 30 - second)};
        String[] ids = {S1, S2, S3, S4};
        for (int i = 0; i < ids.length; i++) {
            attrs.put("dialogs." + ids[i], dialogs[i]);
        }
        attrs.put("dialogs", dialogs[0] + dialogs[1] + dialogs[2] + dialogs[3]);
        attrs.put("sources", flooding ? 60L : 20L);
        attrs.put("suspects", flooding ? (long) FLOOD_SOURCES : 0L);
        o.accept("edge", Event.message("sip.edge.traffic", t0 + second * 1000L + 900, "edge", attrs));
    }

    /** A context activated by {@code alert}, an action deployed in it, and the edge's answer. */
    private static void remediate(Observatory o, long at, String context, String name, String alert, String action, String rule,
                                  String target) {
        o.accept("actions", PolicyEventsFixture.activated(at, context, alert));
        o.accept("actions", PolicyEventsFixture.decision(at + 10, ActionDecision.Verdict.DEPLOY, action, target, rule, context, alert));
        o.accept("actions", PolicyEventsFixture.deployed(at + 30, action));
    }

    /** The phases of the story, the last one still on. */
    static List<Map<String, Object>> story(long t0) {
        return List.of(phase("normal", "legitimate callers place 10 calls/s through the edge", t0, t0 + 10_000),
                phase("flood", "INVITE flood: 2000/s from 40 sources", t0 + 10_000, t0 + 25_000),
                phase("crash", "SIP server s3 (" + S3 + ") crashes", t0 + 25_000, null));
    }

    private static Map<String, Object> phase(String name, String what, long start, Long end) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("what", what);
        p.put("start", start);
        if (end != null) {
            p.put("end", end);
        }
        return p;
    }

    /** The report so far: the flood's figures known, the crash's not yet. */
    static Report report(long t0) {
        return new Report(0.65, 0.71, 1.0, 0.995, null, null, null, 0, 0, 0.997, null, 300, 14.2, 16_200, 4, null, null, null, null, 0, null, null, 0, 0, null, null, false, story(t0));
    }
}
