package dev.d2r2.app.demo;

import dev.d2r2.broker.Delivery;
import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.chronicle.events.ChronicleEvents;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.sip.events.SipEvents;

import java.util.HashSet;
import java.util.Set;

/**
 * When the loop's steps happened, as the events arrive (epoch ms on this clock, so the figures
 * include every hop): the first flood alert and the first enforcement after the flood started,
 * the crashed server taken out of and back into rotation, and the threat contexts in force.
 */
final class Milestones {
    /** The chronicle of the demo's {@code flooding.chr} that recognizes a flood at an edge. */
    static final String FLOOD_CHRONICLE = "FloodingAttack";
    private volatile long floodStart = Long.MAX_VALUE;
    private volatile long crashAt = Long.MAX_VALUE;
    private volatile String crashed;
    private volatile long floodAlert;
    private volatile long enforcement;
    private volatile long crashDetected;
    private volatile long backInRotation;
    private final Set<String> activeContexts = new HashSet<>();
    private long contextsEver;

    void floodStarts(long at) {
        floodStart = at;
    }

    void crash(String backendId, long at) {
        crashed = backendId;
        crashAt = at;
    }

    void take(Delivery d) {
        try {
            accept(d.event(), System.currentTimeMillis());
        } catch (EventFormatException e) {
            // The observatory counts and logs malformed events; a milestone cannot come from one.
        }
    }

    synchronized void accept(Event e, long now) {
        if (ChronicleAlert.isAlert(e)) {
            if (FLOOD_CHRONICLE.equals(e.attrs().get(ChronicleEvents.CHRONICLE)) && now >= floodStart && floodAlert == 0) {
                floodAlert = now;
            }
            return;
        }
        if (SipEvents.EDGE_BACKEND.matches(e.type())) {
            backend(e, now);
            return;
        }
        policy(e, now);
    }

    private void policy(Event e, long now) {
        try {
            if (PolicyEvents.OUTCOME.matches(e.type())) {
                ActionOutcome o = ActionOutcome.from(e);
                if (now >= floodStart && enforcement == 0 && o.result() == ActionOutcome.Result.OK
                        && o.call() == ActionOutcome.Call.DEPLOY) {
                    enforcement = now;
                }
            } else if (PolicyEvents.CONTEXT.matches(e.type())) {
                ContextChange c = ContextChange.from(e);
                String instance = c.instance().id();
                if (c.change().holds()) {
                    if (activeContexts.add(instance)) {
                        contextsEver++;
                    }
                } else {
                    activeContexts.remove(instance);
                }
            }
        } catch (EventFormatException ex) {
            // As in take: the observatory counts and logs malformed events.
        }
    }

    private void backend(Event e, long now) {
        if (e.source().equals(crashed) && now >= crashAt) {
            if ("down".equals(e.to()) && crashDetected == 0) {
                crashDetected = now;
            } else if ("up".equals(e.to()) && crashDetected != 0 && backInRotation == 0) {
                backInRotation = now;
            }
        }
    }

    /** Seconds from {@code from} to {@code to}; null when {@code to} did not happen. */
    private static Double seconds(long from, long to) {
        return to == 0 || from == Long.MAX_VALUE ? null : (to - from) / 1000.0;
    }

    Double floodDetection() {
        return seconds(floodStart, floodAlert);
    }

    Double floodRemediation() {
        return seconds(floodStart, enforcement);
    }

    Double crashDetection() {
        return seconds(crashAt, crashDetected);
    }

    Double crashRecovery() {
        return seconds(crashAt, backInRotation);
    }

    boolean backInRotation() {
        return backInRotation != 0;
    }

    synchronized int activeContexts() {
        return activeContexts.size();
    }

    synchronized long contextsActivated() {
        return contextsEver;
    }
}
