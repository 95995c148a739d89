package dev.d2r2.app;

import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.Simulation;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The example sick-server policy on the diagnosis's events, in virtual time: drain and replace, blast radius, the drain put back. */
class SickServerPolicyTest {
    private static PeerIndicted indicted(long time, String peer) {
        return new PeerIndicted(time, peer, "sip", 0.6, 0.3, 4, 5, 7.0, "os.cpu_pct", 2);
    }

    private static List<String> decisionsOn(String actuatorOp, List<String> decisions) {
        return decisions.stream().filter(d -> d.contains("\"action\":\"" + actuatorOp + "/")).toList();
    }

    @Test
    void anIndictmentBecomesADrainAtTheEdgeAndAReplaceByTheScalerNeverASecondAtOnce() throws Exception {
        Policy policy = Policy.load(Path.of("..", "examples", "policies", "sick-server.yaml"));
        List<String> decisions = new ArrayList<>();
        Simulation sim = new Simulation(policy, decisions::add);
        sim.accept(indicted(1_000, "127.0.0.1:5071").toEvent());
        sim.accept(indicted(2_000, "127.0.0.1:5072").toEvent());
        sim.accept(new PeerCleared(30_000, "127.0.0.1:5071", "sip").toEvent());
        sim.finish();

        List<String> replace = decisionsOn("scaler/replace", decisions);
        assertThat(replace.get(0)).contains("\"decision\":\"deploy\"", "\"action\":\"scaler/replace/127.0.0.1:5071\"",
                "\"op\":\"replace\"", "\"target\":\"127.0.0.1:5071\"", "\"rule\":\"replace-the-culprit\"");
        assertThat(replace.get(1)).contains("\"decision\":\"refuse\"", "127.0.0.1:5072", "blast radius");

        List<String> drain = decisionsOn("sip-edge/drain", decisions);
        assertThat(drain.get(0)).contains("\"decision\":\"deploy\"", "\"action\":\"sip-edge/drain/127.0.0.1:5071\"");
        assertThat(drain.get(1)).contains("\"decision\":\"refuse\"", "127.0.0.1:5072", "blast radius");
        assertThat(drain.get(2)).contains("\"decision\":\"revoke\"", "sip-edge/drain/127.0.0.1:5071", "context ended");
    }
}
