package dev.d2r2.policy.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.Action;
import dev.d2r2.core.events.EventAttrs;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code policy.decision} event: deploy, extend, revoke or refuse an action. Its source is the
 * action's id.
 *
 * @param stamp    the stamp of the context instance the action was derived in
 * @param rule     the abstract rule it enforces, with its {@code modality}
 * @param subject  the subject the rule was made concrete for
 * @param context  the context instance it was derived in
 * @param reason   why it was revoked or refused; null otherwise
 * @param cause    the event behind it: for a deploy, extend or refuse, the alert that activated or renewed its
 *                 context; for a revoke because its context ended, the event that ended it; for any other
 *                 revoke (expired, overruled), the cause of the deploy or extend it revokes; null when none
 */
public record ActionDecision(long time, Verdict verdict, Action action, long stamp, String rule, String modality,
                             String subject, ContextId context, String reason, Cause cause) {
    public static final String DECISION = "decision";
    public static final String ACTUATOR = "actuator";
    public static final String OP = "op";
    public static final String TARGET = "target";
    public static final String PARAM = "param.";
    public static final String EXPIRES = "expires";
    public static final String STAMP = "stamp";
    public static final String RULE = "rule";
    public static final String MODALITY = "modality";
    public static final String SUBJECT = "subject";
    public static final String CONTEXT = "context";
    public static final String REASON = "reason";
    /** Reasons for a revocation. */
    public static final String EXPIRED = "expired";
    public static final String CONTEXT_ENDED = "context ended";

    /** The reason of a revocation by a rule that won a conflict. */
    public static String overruledBy(String rule) {
        return "overruled by " + rule;
    }

    public enum Verdict {
        DEPLOY, EXTEND, REVOKE, REFUSE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Verdict of(String key) throws EventFormatException {
            for (Verdict v : values()) {
                if (v.key().equals(key)) {
                    return v;
                }
            }
            throw new EventFormatException(PolicyEvents.DECISION.name() + ": unknown decision " + key);
        }
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(DECISION, verdict.key());
        attrs.put(ACTUATOR, action.actuator());
        attrs.put(OP, action.op());
        attrs.put(TARGET, action.target());
        Prefixed.put(attrs, PARAM, action.params());
        attrs.put(EXPIRES, action.expires());
        attrs.put(STAMP, stamp);
        attrs.put(RULE, rule);
        attrs.put(MODALITY, modality);
        attrs.put(SUBJECT, subject);
        attrs.put(CONTEXT, context.id());
        if (reason != null) {
            attrs.put(REASON, reason);
        }
        if (cause != null) {
            cause.into(attrs);
        }
        return Event.message(PolicyEvents.DECISION.name(), time, action.id(), attrs);
    }

    public static ActionDecision from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PolicyEvents.DECISION);
        if (e.source() == null) {
            throw new EventFormatException(e.type() + " event has no source (the action's id)");
        }
        Action action = new Action(e.source(), EventAttrs.string(e, ACTUATOR), EventAttrs.string(e, OP),
                EventAttrs.string(e, TARGET), Prefixed.read(e, PARAM), EventAttrs.integer(e, EXPIRES));
        return new ActionDecision(e.time(), Verdict.of(EventAttrs.string(e, DECISION)), action, EventAttrs.integer(e, STAMP),
                EventAttrs.string(e, RULE), EventAttrs.string(e, MODALITY), EventAttrs.string(e, SUBJECT),
                ContextId.parse(EventAttrs.string(e, CONTEXT)), EventAttrs.string(e, REASON, null), Cause.from(e));
    }
}
