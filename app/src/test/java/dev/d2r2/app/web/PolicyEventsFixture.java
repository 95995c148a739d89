package dev.d2r2.app.web;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextChange;
import dev.d2r2.policy.events.ContextId;

import java.util.Map;

/** The policy's events as the engine writes them, for feeding an observatory. */
final class PolicyEventsFixture {
    static final long LIFETIME_MS = 600_000;

    private PolicyEventsFixture() {
    }

    static ContextId instance(String id) {
        try {
            return ContextId.parse(id);
        } catch (EventFormatException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Cause cause(String eventId) {
        return eventId == null ? null : new Cause(eventId, null, null, null, null);
    }

    static Event activated(long at, String context, String causeId) {
        return new ContextChange(at, instance(context), ContextChange.Change.ACTIVATED, at, at + LIFETIME_MS, Map.of(),
                cause(causeId)).toEvent();
    }

    static Event decision(long at, ActionDecision.Verdict verdict, String actionId, String target, String rule, String context,
                          String causeId) {
        String[] parts = actionId.split("/", 3);
        Action action = new Action(actionId, parts[0], parts[1], target, Map.of(), at + LIFETIME_MS);
        String reason = verdict == ActionDecision.Verdict.REVOKE ? ActionDecision.CONTEXT_ENDED : null;
        return new ActionDecision(at, verdict, action, at, rule, "prohibition", target, instance(context), reason,
                cause(causeId)).toEvent();
    }

    static Event deployed(long at, String actionId) {
        return new ActionOutcome(at, actionId, ActionOutcome.Call.DEPLOY, ActionOutcome.Result.OK, 1, actionId.split("/")[0],
                null, null).toEvent();
    }
}
