package dev.d2r2.policy;

import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextId;

import java.util.Map;

/**
 * A context that holds now: the nominal one, a temporal one inside its window, or one instance of
 * a threat context per set of bound parameters ({@code flooding{attacker=192.0.2.7}}), named by
 * its {@code key}. {@code stamp} is when it was activated or last renewed: actions are
 * (re)deployed once per stamp. {@code expires} is {@link Long#MAX_VALUE} for contexts without a
 * lifetime.
 */
public record ContextInstance(ContextId key, Map<String, String> empowered, long stamp, long expires, Cause cause) {

    /** The instance's id, {@code name{param=value,...}}. */
    public String id() {
        return key.id();
    }

    /** The context it is an instance of. */
    public String context() {
        return key.name();
    }

    /** The parameters its activating event bound. */
    public Map<String, String> bindings() {
        return key.params();
    }

    ContextInstance withCause(Cause c) {
        return new ContextInstance(key, empowered, stamp, expires, c);
    }

    /** True when every binding in {@code partial} is one of this instance's. */
    boolean binds(Map<String, String> partial) {
        for (Map.Entry<String, String> e : partial.entrySet()) {
            if (!e.getValue().equals(bindings().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
