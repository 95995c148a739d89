package dev.d2r2.policy;

import dev.d2r2.core.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad policies are refused with the file, line and column of the mistake. */
class PolicyLoadTest {
    private static final String BASE = """
            organizations: { isp: {} }
            roles: { attacker: {}, user: {} }
            activities: { sip: {} }
            views: { voip: {} }
            contexts:
              flooding:
                kind: threat
                when: { type: FloodingSuspect, bind: { attacker: attacker } }
                empower: { attacker: "${attacker}" }
                lifetime: 10m
            rules:
              - name: block
                kind: prohibition
                role: attacker
                activity: sip
                view: voip
                context: flooding
                enforce: { actuator: edge, op: block, for: 10m }
            actuators: { edge: { kind: log } }
            """;

    @Test
    void theShippedExampleAndTheBaseAreValid() {
        assertThat(Fixtures.flooding().rules()).hasSize(4);
        assertThat(Fixtures.parse(BASE).contexts()).containsOnlyKeys("nominal", "flooding");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "role: attacker|role: atacker|test.yaml:14:5: key rules[0].role: unknown role atacker (known: attacker, user)",
            "context: flooding|context: flood|test.yaml:17:5: key rules[0].context: unknown context flood (known: nominal, flooding)",
            "actuator: edge, op|actuator: fw, op|test.yaml:18:16: key rules[0].enforce.actuator: unknown actuator fw (declared: edge)",
            "op: block, for: 10m|op: block|test.yaml:18:5: key rules[0].enforce: every action needs a positive duration: for: (e.g. 10m)",
            "user: {}|user: { parent: attacker }, root: { parent: root }|test.yaml:2:60: key roles.root.parent: role root is its own ancestor (a cycle through root)",
            "lifetime: 10m|lifetime: ten minutes|test.yaml:10:5: key contexts.flooding.lifetime: not a duration: \"ten minutes\" (expected e.g. 500ms, 10s, 5m, 2h)",
            "\"${attacker}\"|\"${victim}\"|test.yaml:9:16: key contexts.flooding.empower.attacker: \"${victim}\" uses ${victim}, which is not defined here (defined: attacker)",
            "kind: prohibition|kind: forbidden|test.yaml:13:5: key rules[0].kind: kind must be permission, prohibition or obligation",
            "{ kind: log }|{ kind: pager }|test.yaml:19:22: key actuators.edge.kind: unknown actuator kind \"pager\" (known: command, log, webhook)",
            "{ kind: log }|{ kind: webhook }|test.yaml:19:22: key actuators.edge.kind: a webhook actuator needs a url",
            "{ isp: {} }|{ isp: {}, other: {} }|test.yaml:7:5: key contexts.flooding.kind: several root organizations (isp, other): name one with organization:",
    })
    void aMistakeIsReportedAtItsOwnKey(String from, String to, String message) {
        String text = BASE.replace(from, to);
        assertThat(text).isNotEqualTo(BASE);
        assertThatThrownBy(() -> Policy.parse("test.yaml", text)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void anUnknownKeyIsReportedWithTheKnownOnes() {
        assertThatThrownBy(() -> Policy.parse("test.yaml", BASE.replace("view: voip\n", "view: voip\n    colour: red\n")))
                .hasMessage("test.yaml:17:5: key rules[0].colour: unknown key \"colour\" (known: activity, context, enforce, kind, name,"
                        + " organization, priority, role, view)");
    }

    @Test
    void aBadAllowListEntryATimeOfDayAndAZoneAreReported() {
        assertThatThrownBy(() -> Policy.parse("test.yaml", BASE + "safety: { allow: [10.0.0.0/33] }\n"))
                .hasMessage("test.yaml:20:19: key safety.allow[0]: not a CIDR block: 10.0.0.0/33 (e.g. 10.0.0.0/8)");
        assertThatThrownBy(() -> Policy.parse("test.yaml", BASE.replace("contexts:\n", """
                contexts:
                  night: { kind: temporal, from: "25:00", to: "06:00" }
                """))).hasMessage("test.yaml:6:28: key contexts.night.from: not a time of day: \"25:00\" (e.g. \"08:00\")");
    }

    @Test
    void aMissingFileIsReported() {
        assertThatThrownBy(() -> Policy.load(Path.of("no-such-policy.yaml"))).hasMessage("no-such-policy.yaml: no such file");
    }
}
