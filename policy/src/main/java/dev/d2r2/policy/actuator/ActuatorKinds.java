package dev.d2r2.policy.actuator;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The actuator kinds on the class path, by key. */
public final class ActuatorKinds {
    private static final Map<String, ActuatorKind> KINDS = load();

    private ActuatorKinds() {
    }

    private static Map<String, ActuatorKind> load() {
        Map<String, ActuatorKind> kinds = new TreeMap<>();
        for (ActuatorKind k : ServiceLoader.load(ActuatorKind.class, ActuatorKind.class.getClassLoader())) {
            kinds.put(k.key(), k);
        }
        return kinds;
    }

    public static ActuatorKind of(String key) {
        ActuatorKind k = KINDS.get(key);
        if (k == null) {
            throw new IllegalArgumentException("unknown actuator kind \"" + key + "\" (known: " + String.join(", ", KINDS.keySet()) + ")");
        }
        return k;
    }
}
