package dev.d2r2.app.replay;

import java.util.List;
import java.util.Map;

/**
 * A file of rule tests, in the style of {@code promtool test rules}: the rules (a node
 * configuration, or chronicle, policy and threshold files; paths relative to the test file), how
 * the stages are connected when no configuration says, and test cases: input events (or a slice
 * of a recorded log) and the alarms, alerts, contexts and decisions expected.
 *
 * <pre>
 * chronicles: [sip-flooding.chr]
 * policy: ../policies/sip-flooding.yaml
 * channels: { chronicles: [alarms, edge], policy: [alerts] }
 * tests:
 *   - name: five symptoms make an attack
 *     input:
 *       - { channel: alarms, type: sip.connections, time: 1s, source: edge-1, from: ok, to: critical }
 *     until: 5m
 *     expect:
 *       alerts: [ { type: FloodingAttack, source: edge-1, at: 1s } ]
 *       decisions: [ { decision: deploy, target: 10.1.2.3 } ]
 * </pre>
 */
public record RuleTestFile(String config, List<String> chronicles, String policy, String thresholds, Wiring channels,
                           List<Case> tests) {
    public RuleTestFile {
        chronicles = chronicles == null ? List.of() : List.copyOf(chronicles);
        if (tests == null || tests.isEmpty()) {
            throw new IllegalArgumentException("a rule test file needs tests: [...]");
        }
    }

    /** The channels each stage reads, when no configuration gives them (defaults: alarms for chronicles, alerts for the policy). */
    public record Wiring(List<String> chronicles, List<String> policy) {
    }

    /** One test: events in (or a recorded slice), the clock run to {@code until}, outputs expected. */
    public record Case(String name, List<Input> input, Slice slice, Object until, Expect expect) {
        public Case {
            if (name == null) {
                throw new IllegalArgumentException("a test needs a name");
            }
            input = input == null ? List.of() : List.copyOf(input);
            if (input.isEmpty() == (slice == null)) {
                throw new IllegalArgumentException("test " + name + ": give input: [events] or slice: {data: DIR}, one of them");
            }
            if (expect == null) {
                throw new IllegalArgumentException("test " + name + ": give expect: {alerts: [...], decisions: [...]}");
            }
        }
    }

    /**
     * An input event, on the channel it was published on; {@code time} in ms, or a duration
     * ({@code 90s}) from time 0. A state event has {@code from} or {@code to}.
     */
    public record Input(String channel, String id, String type, Object time, String source, String from, String to,
                        Map<String, Object> attrs) {
        public Input {
            if (channel == null || type == null || time == null) {
                throw new IllegalArgumentException("an input event needs channel, type and time");
            }
            attrs = attrs == null ? Map.of() : attrs;
        }
    }

    /** A range of a broker's recorded log (a data directory, relative to the test file) instead of input events. */
    public record Slice(String data, Object from, Object to) {
        public Slice {
            if (data == null) {
                throw new IllegalArgumentException("a slice needs data: DIR");
            }
        }
    }

    /**
     * The outputs expected, by kind; a kind left out is not checked. Each entry names fields that
     * the output must have: {@code at}, {@code type}, {@code source}, {@code from}, {@code to}, or
     * any attribute of its event ({@code decision}, {@code target}, {@code change}, {@code chronicle} ...).
     */
    public record Expect(List<Map<String, Object>> alarms, List<Map<String, Object>> alerts, List<Map<String, Object>> contexts,
                         List<Map<String, Object>> decisions, Boolean uncertain) {
    }
}
