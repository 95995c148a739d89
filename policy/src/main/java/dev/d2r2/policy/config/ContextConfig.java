package dev.d2r2.policy.config;

import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A context. {@code kind: threat}: activated by events matching {@code when}, with parameters
 * bound from them; the roles it {@code empower}s subjects in; a {@code lifetime} restarted by
 * each repeated alert when {@code renew}; ended early by an event matching one of {@code clear}.
 * {@code kind: temporal}: holds on the given {@code days} between {@code from} and {@code to}
 * (local times in {@code zone}). The {@code nominal} context is built in and always holds.
 */
public record ContextConfig(String kind, String organization, MatchConfig when, Map<String, String> empower,
                            Duration lifetime, Boolean renew, List<MatchConfig> clear,
                            List<String> days, String from, String to, String zone) {
    public ContextConfig {
        kind = kind == null ? "" : kind;
        empower = empower == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(empower));
        clear = clear == null ? List.of() : List.copyOf(clear);
        days = days == null ? List.of() : List.copyOf(days);
        renew = renew == null || renew;
        switch (kind) {
            case "threat" -> {
                if (when == null) {
                    throw new InvalidAt("a threat context needs when: (the alert that activates it)", "kind");
                }
                if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
                    throw new InvalidAt("a threat context needs a positive lifetime: (e.g. 10m)", "kind");
                }
                if (from != null || to != null || !days.isEmpty() || zone != null) {
                    throw new InvalidAt("days/from/to/zone are for temporal contexts", "kind");
                }
            }
            case "temporal" -> {
                if (from == null || to == null) {
                    throw new InvalidAt("a temporal context needs from: and to: (e.g. \"08:00\")", "kind");
                }
                if (when != null || !clear.isEmpty() || !empower.isEmpty() || lifetime != null) {
                    throw new InvalidAt("when/clear/empower/lifetime are for threat contexts", "kind");
                }
            }
            case "nominal" -> throw new InvalidAt("the nominal context is built in; do not declare it", "kind");
            default -> throw new InvalidAt("kind must be threat or temporal, not \"" + kind + "\"", "kind");
        }
    }

    public boolean threat() {
        return kind.equals("threat");
    }
}
