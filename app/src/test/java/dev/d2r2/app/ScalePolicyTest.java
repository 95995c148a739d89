package dev.d2r2.app;

import dev.d2r2.policy.Policy;
import dev.d2r2.policy.Simulation;
import dev.d2r2.scale.events.LoadLevel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example scaling policy on the scaler's load levels, in virtual time: overload is a context
 * whose obligation is the scaler's scale-out of that type, with the load level as its cause;
 * back to ok ends it; underload asks for a scale-in; the actuator's rate limit bounds a flapping load.
 */
class ScalePolicyTest {
    private static final long T0 = 1_795_000_000_000L;

    @Test
    void overloadAsksTheScalerToScaleOutUnderloadToScaleInEachAuditedWithItsCause() throws Exception {
        Policy policy = Policy.load(Path.of("..", "examples", "policies", "scaling.yaml"));
        List<String> decisions = new ArrayList<>();
        Simulation sim = new Simulation(policy, decisions::add);
        sim.accept(new LoadLevel(T0, "sip", "ok", "overload", 1, 5, 400.0, "per instance: calls_per_s 400.0").toEvent());
        sim.accept(new LoadLevel(T0 + 5_000, "sip", "overload", "ok", 5, 5, 400.0, null).toEvent());
        sim.accept(new LoadLevel(T0 + 60_000, "sip", "ok", "underload", 5, 1, 20.0, null).toEvent());
        sim.accept(new LoadLevel(T0 + 61_000, "sip", "underload", "ok", 4, 1, 20.0, null).toEvent());
        sim.finish();
        assertThat(decisions.get(0)).contains("\"decision\":\"deploy\"", "\"action\":\"scaler/scale-out/sip\"", "\"rule\":\"add-capacity\"",
                "\"context\":\"overload{type=sip}\"", "\"cause\":{\"type\":\"scale.load\",\"source\":\"sip\"}");
        assertThat(decisions.get(1)).contains("\"decision\":\"revoke\"", "scaler/scale-out/sip", "context ended");
        assertThat(decisions.get(2)).contains("\"decision\":\"deploy\"", "\"action\":\"scaler/scale-in/sip\"", "\"rule\":\"shed-capacity\"");
        assertThat(decisions.get(3)).contains("\"decision\":\"revoke\"", "scaler/scale-in/sip");
        assertThat(decisions).hasSize(4);
    }

    @Test
    void aFlappingLoadIsBoundedByTheActuatorsRate() throws Exception {
        Policy policy = Policy.load(Path.of("..", "examples", "policies", "scaling.yaml"));
        List<String> decisions = new ArrayList<>();
        Simulation sim = new Simulation(policy, decisions::add);
        for (int i = 0; i < 20; i++) {
            sim.accept(new LoadLevel(T0 + i * 2_000L, "sip", "ok", "overload", 1, 2, 100.0, null).toEvent());
            sim.accept(new LoadLevel(T0 + i * 2_000L + 1_000, "sip", "overload", "ok", 2, 2, 100.0, null).toEvent());
        }
        sim.finish();
        long deploys = decisions.stream().filter(d -> d.contains("\"decision\":\"deploy\"")).count();
        long refusals = decisions.stream().filter(d -> d.contains("\"decision\":\"refuse\"")).count();
        assertThat(deploys).as("max-per-minute: 12").isEqualTo(12);
        assertThat(refusals).isEqualTo(8);
    }
}
