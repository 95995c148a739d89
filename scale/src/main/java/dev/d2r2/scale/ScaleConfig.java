package dev.d2r2.scale;

import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.core.config.InvalidAt;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An instance-types file ({@code d2r2 scale check FILE}): the clouds, and the types under
 * scaling control. Loaded strictly: an unknown key, a missing or inconsistent value, or a type
 * naming an unknown cloud is an error at its file, line and column.
 *
 * <pre>
 * clouds:
 *   home:   { subnet: 10.81.1.0/24 }
 *   remote: { subnet: 10.81.2.0/24, capacity: 8 }
 * types:
 *   sip:
 *     template: { command: [d2r2, sip-server, --listen, "${address}:${port}"], port: 5060, cpu: 0.5 }
 *     cloud: home
 *     min: 1
 *     max: 6
 *     metrics:
 *       calls_per_s: { warning: 80, critical: 100, warning-for: 3s, critical-for: 1s }
 *     target: { metric: calls_per_s, per-instance: 60 }
 *     scale-down: { metric: active_calls, below: 5, for: 30s }
 *     cooldown: { out: 3s, in: 30s }
 *     largest-step: 4
 *     drain-deadline: 2m
 * </pre>
 */
public record ScaleConfig(Map<String, Cloud> clouds, Map<String, InstanceType> types) {
    /** Names become parts of interface, namespace and cgroup names: short, plain. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,5}");

    public ScaleConfig {
        if (clouds == null || clouds.isEmpty()) {
            throw new InvalidAt("clouds is required: at least one { subnet: ... }", "clouds");
        }
        if (types == null || types.isEmpty()) {
            throw new InvalidAt("types is required: at least one instance type", "types");
        }
        clouds = Collections.unmodifiableMap(new LinkedHashMap<>(clouds));
        types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
        for (String c : clouds.keySet()) {
            if (!NAME.matcher(c).matches()) {
                throw new InvalidAt("cloud name " + c + " must be 1-6 lower-case letters or digits, starting with a letter"
                        + " (it names a bridge)", "clouds", c);
            }
        }
        for (Map.Entry<String, InstanceType> t : types.entrySet()) {
            if (!NAME.matcher(t.getKey()).matches()) {
                throw new InvalidAt("type name " + t.getKey() + " must be 1-6 lower-case letters or digits, starting with a letter"
                        + " (it names namespaces and cgroups)", "types", t.getKey());
            }
            if (!clouds.containsKey(t.getValue().cloud())) {
                throw new InvalidAt("unknown cloud " + t.getValue().cloud() + " (declared: " + String.join(", ", clouds.keySet()) + ")",
                        "types", t.getKey(), "cloud");
            }
            checkRequirement(clouds, t.getKey(), t.getValue());
            checkIdentities(clouds, t.getKey(), t.getValue());
        }
    }

    /** A command that passes its cloud's identity to an instance needs one in every cloud the type may run in. */
    private static void checkIdentities(Map<String, Cloud> clouds, String name, InstanceType type) {
        if (!type.template().usesIdentity()) {
            return;
        }
        for (Map.Entry<String, Cloud> c : clouds.entrySet()) {
            if (type.require().metBy(c.getValue()) && c.getValue().identity() == null) {
                throw new InvalidAt("the command passes ${identity}, but cloud " + c.getKey() + ", where the type may run, has no identity",
                        "types", name, "template", "command");
            }
        }
    }

    /** A requirement no declared cloud meets is a mistake, and so is a home cloud that does not meet it. */
    private static void checkRequirement(Map<String, Cloud> clouds, String name, InstanceType type) {
        Requirement r = type.require();
        if (r.location() != null && clouds.values().stream().noneMatch(c -> r.location().equals(c.location()))) {
            throw new InvalidAt("no cloud is in location " + r.location(), "types", name, "require", "location");
        }
        for (int i = 0; i < r.features().size(); i++) {
            String f = r.features().get(i);
            if (clouds.values().stream().noneMatch(c -> c.features().contains(f))) {
                throw new InvalidAt("no cloud offers feature " + f, "types", name, "require", "features", i);
            }
        }
        if (!r.metBy(clouds.get(type.cloud()))) {
            throw new InvalidAt("the type's own cloud " + type.cloud() + " does not meet its require", "types", name, "cloud");
        }
    }

    public static ScaleConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, ScaleConfig.class);
    }

    public static ScaleConfig parse(String origin, String text) throws ConfigException {
        return ConfigLoader.parse(origin, text, ScaleConfig.class);
    }

    public InstanceType type(String name) {
        InstanceType t = types.get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown instance type " + name + " (declared: " + String.join(", ", types.keySet()) + ")");
        }
        return t;
    }
}
