package dev.d2r2.chronicle;

import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped SIP flooding chronicles (ResumeNet D3.1c's e1..e5) on a synthetic alarm stream of two edges. */
class FloodingChronicleTest {
    private static final Path FILE = Path.of("../examples/chronicles/sip-flooding.chr");

    private static Event alarm(String type, long t, String edge, String from, String to) {
        return new Event(null, type, t, edge, from, to, Map.of());
    }

    @Test
    void recognizesTheFloodAndItsSourceAtTheEdgeUnderAttackOnly() throws Exception {
        List<Recognition> found = new ArrayList<>();
        Recognizer r = new Recognizer(ChronicleCompiler.compileFiles(List.of(FILE)).chronicles(),
                new Recognizer.Options(2000, 3_600_000), found::add);
        long t = 1_000_000;
        for (String edge : List.of("lb-1", "lb-2")) {
            r.accept(alarm("sip.connections", t, edge, "ok", "critical"));
            r.accept(alarm("sip.registrations", t + 2000, edge, "warning", "critical"));
            r.accept(alarm("sip.ingress_rate", t + 3000, edge, "ok", "critical"));
            r.accept(alarm("host.disk", t + 10_000, edge, "ok", "warning"));
        }
        // lb-2's ingress calms down before its egress collapses: not a flood.
        r.accept(alarm("sip.ingress_rate", t + 15_000, "lb-2", "critical", "ok"));
        r.accept(alarm("sip.egress_rate", t + 20_000, "lb-1", "ok", "critical"));
        r.accept(alarm("sip.egress_rate", t + 20_000, "lb-2", "ok", "critical"));
        r.accept(new Event(null, "sip.source_rate", t + 21_000, "lb-1", "normal", "high", Map.of("src", "10.0.0.66")));
        r.accept(new Event(null, "sip.source_rate", t + 21_000, "lb-2", "normal", "high", Map.of("src", "10.0.0.77")));
        r.close();
        assertThat(found).extracting(Recognition::chronicle).containsExactly("SipFlooding", "FloodingSource");
        assertThat(found.getFirst().bindings()).containsEntry("edge", "lb-1");
        assertThat(found.getFirst().at()).isEqualTo(t + 20_000);
        assertThat(found.getLast().bindings()).containsEntry("attacker", "10.0.0.66");
    }
}
