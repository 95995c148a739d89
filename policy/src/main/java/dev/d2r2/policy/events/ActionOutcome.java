package dev.d2r2.policy.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code policy.outcome} event: how one actuator call (the {@code attempt}-th deploy or revoke
 * of an action) ended. Its source is the action's id.
 *
 * @param error   why it failed or was refused; null when it did not
 * @param retryAt when it is tried again (epoch ms), or null when it is not
 */
public record ActionOutcome(long time, String actionId, Call call, Result result, int attempt, String actuator,
                            String error, Long retryAt) {
    public static final String CALL = "call";
    public static final String OUTCOME = "outcome";
    public static final String ATTEMPT = "attempt";
    public static final String ACTUATOR = "actuator";
    public static final String ERROR = "error";
    public static final String RETRY_AT = "retry-at";

    /** What was asked of the actuator. */
    public enum Call {
        DEPLOY, REVOKE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Call of(String key) throws EventFormatException {
            for (Call c : values()) {
                if (c.key().equals(key)) {
                    return c;
                }
            }
            throw new EventFormatException(PolicyEvents.OUTCOME.name() + ": unknown call " + key);
        }
    }

    /** How it ended: done, failed (retried), refused (permanent), or not called at all in a dry run. */
    public enum Result {
        OK("ok"), FAILED("failed"), REFUSED("refused"), DRY_RUN("dry-run");

        private final String key;

        Result(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        static Result of(String key) throws EventFormatException {
            for (Result r : values()) {
                if (r.key.equals(key)) {
                    return r;
                }
            }
            throw new EventFormatException(PolicyEvents.OUTCOME.name() + ": unknown outcome " + key);
        }
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(CALL, call.key());
        attrs.put(OUTCOME, result.key());
        attrs.put(ATTEMPT, (long) attempt);
        attrs.put(ACTUATOR, actuator);
        if (error != null) {
            attrs.put(ERROR, error);
        }
        if (retryAt != null) {
            attrs.put(RETRY_AT, retryAt);
        }
        return Event.message(PolicyEvents.OUTCOME.name(), time, actionId, attrs);
    }

    public static ActionOutcome from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PolicyEvents.OUTCOME);
        if (e.source() == null) {
            throw new EventFormatException(e.type() + " event has no source (the action's id)");
        }
        String call = EventAttrs.string(e, CALL);
        String outcome = EventAttrs.string(e, OUTCOME);
        long retry = EventAttrs.integer(e, RETRY_AT, -1);
        return new ActionOutcome(e.time(), e.source(), Call.of(call), Result.of(outcome),
                (int) EventAttrs.integer(e, ATTEMPT), EventAttrs.string(e, ACTUATOR), EventAttrs.string(e, ERROR, null),
                retry < 0 ? null : retry);
    }
}
