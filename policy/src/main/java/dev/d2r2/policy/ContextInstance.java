package dev.d2r2.policy;

import java.util.Map;
import java.util.StringJoiner;

/**
 * A context that holds now: the nominal one, a temporal one inside its window, or one instance of
 * a threat context per set of bound parameters ({@code flooding{attacker=192.0.2.7}}).
 * {@code stamp} is when it was activated or last renewed: actions are (re)deployed once per
 * stamp. {@code expires} is {@link Long#MAX_VALUE} for contexts without a lifetime.
 */
public record ContextInstance(String id, String context, Map<String, String> bindings, Map<String, String> empowered,
                              long stamp, long expires, Cause cause) {

    static String idOf(String context, Map<String, String> bindings) {
        if (bindings.isEmpty()) {
            return context;
        }
        StringJoiner j = new StringJoiner(",", context + "{", "}");
        bindings.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
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
