package dev.d2r2.app.web;

import dev.d2r2.core.Event;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.policy.events.ActionDecision.Verdict;

import java.util.List;

/** A sick server as the diagnosis and the policy tell it, for feeding an observatory: the window, the indictment, the drain. */
final class SickServerFixture {
    static final String CULPRIT = "127.0.0.1:5073";
    static final List<String> PEERS = List.of("127.0.0.1:5071", "127.0.0.1:5072", CULPRIT);
    static final String INDICTMENT = "diagnosis@12";
    static final String DRAIN = "edge-drain/drain/" + CULPRIT;
    static final double THRESHOLD = 0.2;

    private SickServerFixture() {
    }

    /** The window of the indictment at {@code t}, the indictment, its context and drain, with event ids as the broker gives them. */
    static void feed(Observatory o, long t) {
        Event window = new DistanceMatrix(t, "sip", PEERS, new double[][]{{0, 0.05, 0.62}, {0.05, 0, 0.6}, {0.62, 0.6, 0}}, THRESHOLD,
                new double[][]{{0.7, 0.3, 0}, {0.65, 0.35, 0}, {0.2, 0.1, 0.7}}).toEvent();
        o.accept("diagnosis", named("diagnosis@11", window));
        o.accept("diagnosis", named(INDICTMENT, new PeerIndicted(t, CULPRIT, "sip", 0.62, THRESHOLD, 2, 3, 9.4, "os.cpu_pct", 2)
                .toEvent()));
        o.accept("actions", PolicyEventsFixture.activated(t + 100, "indicted{server=" + CULPRIT + "}", INDICTMENT));
        o.accept("actions", PolicyEventsFixture.decision(t + 110, Verdict.DEPLOY, DRAIN, CULPRIT, "drain-the-culprit",
                "indicted{server=" + CULPRIT + "}", INDICTMENT));
        o.accept("actions", PolicyEventsFixture.deployed(t + 500, DRAIN));
    }

    static Event cleared(long t) {
        return named("diagnosis@30", new PeerCleared(t, CULPRIT, "sip").toEvent());
    }

    private static Event named(String id, Event e) {
        return new Event(id, e.type(), e.time(), e.source(), e.from(), e.to(), e.attrs());
    }
}
