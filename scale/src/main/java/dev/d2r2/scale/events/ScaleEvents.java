package dev.d2r2.scale.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

import static dev.d2r2.core.events.Attribute.optional;
import static dev.d2r2.core.events.Attribute.required;

/** Every event type the scale module publishes. */
public final class ScaleEvents implements EventCatalogue {
    private static final String ON_ITS_CLOUD = "the scaler's channel (scale.channel); for a cloud with an identity file, the cloud's"
            + " channel (scale.channel.CLOUD), published under the cloud's identity";
    public static final EventType INSTANCE = new EventType("scale.instance", EventType.Kind.STATE, "scaler (its driver)",
            ON_ITS_CLOUD, "the instance's name (type-N)",
            List.of(required(ScaleKeys.TYPE, String.class, "its instance type"),
                    required(ScaleKeys.CLOUD, String.class, "the cloud it runs in"),
                    required(ScaleKeys.ADDRESS, String.class, "its SIP address, host:port"),
                    optional(ScaleKeys.WHY, String.class, "what caused the change (for failed: the error)")),
            "An instance's life: starting, running (its process booted), healthy (it answered SIP OPTIONS), serving (the edge "
                    + "sends it calls), draining, drained (its last call ended), stopped, failed. `from` is the state it leaves.",
            "{\"type\":\"scale.instance\",\"time\":1000,\"source\":\"sip-2\",\"from\":\"running\",\"to\":\"healthy\","
                    + "\"attrs\":{\"type\":\"sip\",\"cloud\":\"remote\",\"address\":\"10.81.2.2:5060\"}}");

    public static final EventType PHASE = new EventType("scale.phase", EventType.Kind.MESSAGE, "scaler (its driver)",
            ON_ITS_CLOUD, "the instance's name",
            List.of(required(ScaleKeys.CLOUD, String.class, "the cloud the instance goes to"),
                    required(ScaleKeys.PHASE, String.class, "snapshot, transfer, register, configure, boot, health, edge or first-call"),
                    required(ScaleKeys.MS, Long.class, "how long the phase took, in milliseconds"),
                    required(ScaleKeys.STEP, String.class, "the scale-out step (policy action id, or the operator's) it belongs to"),
                    required(ScaleKeys.OUTCOME, String.class, "ok, or failed"),
                    optional(ScaleKeys.WHY, String.class, "for failed: the driver's or the health check's error")),
            "One timed phase of bringing an instance into service (a start or a clone), in the order they run. A failed phase"
                    + " is the outcome of the step (the policy's action) that asked for the instance, with its reason.",
            "{\"type\":\"scale.phase\",\"time\":1000,\"source\":\"sip-2\",\"attrs\":{\"cloud\":\"remote\",\"phase\":\"boot\",\"ms\":412,"
                    + "\"step\":\"scaler/scale-out/sip\",\"outcome\":\"ok\"}}");

    public static final EventType LOAD = new EventType("scale.load", EventType.Kind.STATE, "scaler",
            "the scaler's channel (scale.channel)", "the instance type",
            List.of(required(ScaleKeys.INSTANCES, Long.class, "instances serving or on their way"),
                    required(ScaleKeys.DESIRED, Long.class, "the count target tracking asks for, within min and max"),
                    required(ScaleKeys.LOAD, Double.class, "the tracked metric, summed over the instances"),
                    optional(ScaleKeys.WHY, String.class, "which metric held which state for how long")),
            "A type's load changed level: ok, overload (a metric WARNING or CRITICAL for its timespan) or underload (the "
                    + "scale-down metric below its floor for its time). The alarm the policy maps to its scaling contexts.",
            "{\"type\":\"scale.load\",\"time\":1000,\"source\":\"sip\",\"from\":\"ok\",\"to\":\"overload\","
                    + "\"attrs\":{\"instances\":1,\"desired\":5,\"load\":400.0,\"why\":\"calls_per_s WARNING for 2s\"}}");

    public static final EventType STEP = new EventType("scale.step", EventType.Kind.MESSAGE, "scaler",
            "the scaler's channel (scale.channel)", "the instance type",
            List.of(required(ScaleKeys.DIRECTION, String.class, "out, in, or replace (one instance for a clone of a peer: before = after)"),
                    required(ScaleKeys.BEFORE, Long.class, "instances before the step"),
                    required(ScaleKeys.AFTER, Long.class, "instances it aims for"),
                    required(ScaleKeys.STEP, String.class, "the action that asked for it"),
                    optional(ScaleKeys.WHY, String.class, "why the step is smaller than asked, or none (bounds, cooldown, no"
                            + " room, a cloud the policy forbids); for a step taken, the clouds a prohibition kept it out of")),
            "The scaler took (or declined: before = after) a step.",
            "{\"type\":\"scale.step\",\"time\":1000,\"source\":\"sip\",\"attrs\":{\"direction\":\"out\",\"before\":1,\"after\":5,"
                    + "\"step\":\"scaler/scale-out/sip\"}}");

    public static final EventType CLOUD = new EventType("scale.cloud", EventType.Kind.STATE, "scaler",
            "the scaler's channel (scale.channel)", "the cloud",
            List.of(required(ScaleKeys.TYPE, String.class, "the instance type the change is about, or * for every type"),
                    required(ScaleKeys.ACTION, String.class, "the policy action (forbid-clone) taken or lifted"),
                    required(ScaleKeys.CHANGE, String.class, "forbid (the action taken) or lift (revoked)"),
                    required(ScaleKeys.EXPIRES, Long.class, "when that action lapses, epoch ms")),
            "A cloud was closed to new instances of a type by a policy prohibition (forbidden), or opened again when the last "
                    + "such prohibition was revoked (open). Instances already there keep serving. A restarted scaler takes the "
                    + "prohibitions still in force from these events in the channel's log.",
            "{\"type\":\"scale.cloud\",\"time\":1000,\"source\":\"remote\",\"from\":\"open\",\"to\":\"forbidden\","
                    + "\"attrs\":{\"type\":\"*\",\"action\":\"scaler-placement/forbid-clone/remote\",\"change\":\"forbid\",\"expires\":601000}}");

    /** The cloud an instance's event ({@code scale.instance}, {@code scale.phase}) is about; null for any other event. */
    public static String cloudOf(Event e) {
        boolean instance = e.type().equals(INSTANCE.name()) || e.type().equals(PHASE.name());
        return instance && e.attrs().get(ScaleKeys.CLOUD) instanceof String cloud ? cloud : null;
    }

    @Override
    public String module() {
        return "scale";
    }

    @Override
    public List<EventType> types() {
        return List.of(INSTANCE, PHASE, LOAD, STEP, CLOUD);
    }
}
