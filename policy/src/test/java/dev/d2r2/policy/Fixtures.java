package dev.d2r2.policy;

import dev.d2r2.core.Event;
import dev.d2r2.core.config.ConfigException;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Policies and alerts for the tests. */
final class Fixtures {
    static final long T0 = 1_700_000_000_000L;

    private Fixtures() {
    }

    /** The flooding example shipped in examples/policies. */
    static Policy flooding() {
        return load(Path.of("..", "examples", "policies", "sip-flooding.yaml"));
    }

    static Policy load(Path file) {
        try {
            return Policy.load(file);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static Policy parse(String yaml) {
        try {
            return Policy.parse("test.yaml", yaml);
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A policy that blocks each FloodingSuspect's {@code attacker} at actuator {@code edge} for
     * {@code duration}, with the edge's settings and the safety section given.
     */
    static Policy blockFlooders(String duration, String actuator, String safety) {
        return parse("""
                organizations: { isp: {} }
                roles: { attacker: {} }
                activities: { sip: {} }
                views: { voip: {} }
                contexts:
                  flooding:
                    kind: threat
                    when: { type: FloodingSuspect, bind: { attacker: attacker } }
                    empower: { attacker: "${attacker}" }
                    lifetime: 10m
                rules:
                  - { name: block, kind: prohibition, role: attacker, activity: sip, view: voip, context: flooding,
                      enforce: { actuator: edge, op: block, for: %s } }
                actuators: { edge: %s }
                safety: %s
                """.formatted(duration, actuator, safety));
    }

    /** A chronicle's FloodingSuspect alert for one source at one edge. */
    static Event flood(String id, long time, String src, String edge) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("attacker", src);
        attrs.put("edge", edge);
        attrs.put("chronicle", "sip_flooding");
        attrs.put("events", "e1,e2,e3");
        return new Event(id, "FloodingSuspect", time, edge, null, null, attrs);
    }

    static Event over(long time, String edge) {
        return Event.message("FloodingOver", time, edge, Map.of("edge", edge));
    }
}
