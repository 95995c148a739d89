package dev.d2r2.monitor;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The probe kinds on the class path, by key. */
public final class ProbeKinds {
    private static final Map<String, ProbeKind> KINDS = load();

    private ProbeKinds() {
    }

    private static Map<String, ProbeKind> load() {
        Map<String, ProbeKind> kinds = new TreeMap<>();
        for (ProbeKind k : ServiceLoader.load(ProbeKind.class, ProbeKind.class.getClassLoader())) {
            kinds.put(k.key(), k);
        }
        return kinds;
    }

    public static ProbeKind of(String key) {
        ProbeKind k = KINDS.get(key);
        if (k == null) {
            throw new IllegalArgumentException("unknown probe kind \"" + key + "\" (known: " + String.join(", ", KINDS.keySet()) + ")");
        }
        return k;
    }
}
