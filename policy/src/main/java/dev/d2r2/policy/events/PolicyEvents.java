package dev.d2r2.policy.events;

import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

/**
 * What the policy engine publishes on its actions channel and appends to its audit trail: context
 * changes, decisions and actuator outcomes. It accepts any event its policy's contexts name in
 * {@code when} and {@code clear} (alerts and alarms, declared by the chronicle and monitor
 * modules), so it declares none of its own inputs.
 */
public final class PolicyEvents implements EventCatalogue {
    private static final String PUBLISHER = "policy";
    private static final String CHANNEL = "actions (policy.actions)";
    private static final String CAUSE_EVENTS = "the ids of the events the chronicle matched, comma-separated";

    public static final EventType CONTEXT = new EventType("policy.context", EventType.Kind.STATE, PUBLISHER, CHANNEL,
            "the context instance's id, `name{param=value,...}` (`nominal`, `flooding{attacker=198.51.100.7}`)",
            List.of(Attribute.required(ContextChange.CONTEXT, String.class, "the context's name"),
                    Attribute.required(ContextChange.CHANGE, String.class,
                            "`started`, `activated`, `renewed`, `cleared`, `expired` or `ended`"),
                    Attribute.required(ContextChange.STAMP, Long.class, "when the instance was activated or last renewed (ms)"),
                    Attribute.optional(ContextChange.EXPIRES, Long.class, "when it expires (ms); absent when it has no lifetime"),
                    Attribute.optional(ContextChange.BIND + "<param>", String.class, "one per parameter bound by the activating event"),
                    Attribute.optional(ContextChange.EMPOWER + "<role>", String.class, "the subject empowered in the role"),
                    Attribute.optional(Cause.ID, String.class, "the id of the event behind the change"),
                    Attribute.optional(Cause.TYPE, String.class, "its type (`start` or `window` for a change of the engine's own)"),
                    Attribute.optional(Cause.SOURCE, String.class, "its source"),
                    Attribute.optional(Cause.CHRONICLE, String.class, "the chronicle that recognized it, for an alert"),
                    Attribute.optional(Cause.EVENTS, String.class, CAUSE_EVENTS)),
            "A context instance starts to hold or stops holding (state `inactive`/`active`), or is renewed (`active` → `active`).",
            "{\"type\":\"policy.context\",\"time\":1795000000000,\"source\":\"office-hours\",\"from\":\"inactive\","
                    + "\"to\":\"active\",\"attrs\":{\"context\":\"office-hours\",\"change\":\"started\",\"stamp\":1795000000000,"
                    + "\"cause.type\":\"window\"}}");

    public static final EventType DECISION = new EventType("policy.decision", EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the action's id, `actuator/op/target[?param=value&...]`",
            List.of(Attribute.required(ActionDecision.DECISION, String.class, "`deploy`, `extend`, `revoke` or `refuse`"),
                    Attribute.required(ActionDecision.ACTUATOR, String.class, "the actuator, as declared in the policy"),
                    Attribute.required(ActionDecision.OP, String.class, "what it does (`block`, `rate-limit`, ...)"),
                    Attribute.required(ActionDecision.TARGET, String.class, "to whom"),
                    Attribute.optional(ActionDecision.PARAM + "<name>", String.class, "one per parameter of the action"),
                    Attribute.required(ActionDecision.EXPIRES, Long.class, "when the action expires (ms)"),
                    Attribute.required(ActionDecision.STAMP, Long.class, "the stamp of the context instance it was derived in"),
                    Attribute.required(ActionDecision.RULE, String.class, "the rule it enforces"),
                    Attribute.required(ActionDecision.MODALITY, String.class, "`permission`, `prohibition` or `obligation`"),
                    Attribute.required(ActionDecision.SUBJECT, String.class, "the subject the rule was made concrete for"),
                    Attribute.required(ActionDecision.CONTEXT, String.class, "the id of the context instance it was derived in"),
                    Attribute.optional(ActionDecision.REASON, String.class,
                            "why it was revoked (`expired`, `context ended`, `overruled by <rule>`) or refused (the guard)"),
                    Attribute.optional(Cause.ID, String.class, "the id of the event behind it (for a revoke: the event that ended "
                            + "its context, or, expired or overruled, the cause of the decision it revokes)"),
                    Attribute.optional(Cause.TYPE, String.class, "its type"),
                    Attribute.optional(Cause.SOURCE, String.class, "its source"),
                    Attribute.optional(Cause.CHRONICLE, String.class, "the chronicle that recognized it, for an alert"),
                    Attribute.optional(Cause.EVENTS, String.class, CAUSE_EVENTS)),
            "The engine deploys, extends (same id, later expiry), revokes or refuses an action.",
            "{\"type\":\"policy.decision\",\"time\":1795000000000,\"source\":\"sip-edge/block/198.51.100.7\","
                    + "\"attrs\":{\"decision\":\"deploy\",\"actuator\":\"sip-edge\",\"op\":\"block\",\"target\":\"198.51.100.7\","
                    + "\"expires\":1795000600000,\"stamp\":1795000000000,\"rule\":\"block-flooders\","
                    + "\"modality\":\"prohibition\",\"subject\":\"198.51.100.7\","
                    + "\"context\":\"flooding{attacker=198.51.100.7,edge=edge-1}\",\"cause.id\":\"a1\","
                    + "\"cause.type\":\"FloodingAttack\",\"cause.source\":\"edge-1\",\"cause.chronicle\":\"sip_flooding\","
                    + "\"cause.events\":\"e1,e2\"}}");

    public static final EventType OUTCOME = new EventType("policy.outcome", EventType.Kind.MESSAGE, PUBLISHER, CHANNEL,
            "the action's id",
            List.of(Attribute.required(ActionOutcome.CALL, String.class, "`deploy` or `revoke`"),
                    Attribute.required(ActionOutcome.OUTCOME, String.class, "`ok`, `failed`, `refused` or `dry-run`"),
                    Attribute.required(ActionOutcome.ATTEMPT, Long.class, "which attempt this was, from 1"),
                    Attribute.required(ActionOutcome.ACTUATOR, String.class, "the actuator called"),
                    Attribute.optional(ActionOutcome.ERROR, String.class, "why it failed or was refused"),
                    Attribute.optional(ActionOutcome.RETRY_AT, Long.class, "when a failed call is tried again (ms)")),
            "How one actuator call ended; a failed call is retried with a doubling backoff.",
            "{\"type\":\"policy.outcome\",\"time\":1795000000018,\"source\":\"sip-edge/block/198.51.100.7\","
                    + "\"attrs\":{\"call\":\"deploy\",\"outcome\":\"ok\",\"attempt\":1,\"actuator\":\"sip-edge\"}}");

    @Override
    public String module() {
        return "policy";
    }

    @Override
    public List<EventType> types() {
        return List.of(CONTEXT, DECISION, OUTCOME);
    }
}
