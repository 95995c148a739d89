package dev.d2r2.policy;

import dev.d2r2.policy.events.Cause;
import dev.d2r2.policy.events.ContextId;

import java.util.Map;

/**
 * A context that holds now: the nominal one, a temporal one inside its window, or one instance of
 * a threat context per set of bound parameters ({@code flooding{attacker=192.0.2.7}}).
 * {@code stamp} is when it was activated or last renewed: actions are (re)deployed once per
 * stamp. {@code expires} is {@link Long#MAX_VALUE} for contexts without a lifetime.
 */
public record ContextInstance(String id, String context, Map<String, String> bindings, Map<String, String> empowered,
                              long stamp, long expires, Cause cause) {

    ContextInstance(ContextId key, Map<String, String> empowered, long stamp, long expires, Cause cause) {
        this(key.id(), key.name(), key.params(), empowered, stamp, expires, cause);
    }

    /** The instance's name and parameters. */
    public ContextId key() {
        return new ContextId(context, bindings);
    }

    ContextInstance withCause(Cause c) {
        return new ContextInstance(id, context, bindings, empowered, stamp, expires, c);
    }

    /** True when every binding in {@code partial} is one of this instance's. */
    boolean binds(Map<String, String> partial) {
        for (Map.Entry<String, String> e : partial.entrySet()) {
            if (!e.getValue().equals(bindings.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
