package dev.d2r2.scale.kube;

import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.Observation;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.events.LoadLevel;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One 5× spike, one scale-out. While the clones it decided boot (their Pods not Ready yet), the
 * edge's readings are of the pool before the step: judged, they would turn the load ok (its held
 * times restarted) and then overload again, and the policy would order a scale-out of the same
 * capacity a second time. The scaler judges the pool afresh only once its new instances serve,
 * and a scale-out ordered while the capacity on its way carries the load is declined. The test
 * plays the policy (a scale-out on each turn to overload); the scaler runs on a virtual clock.
 */
class ScaleOutWhileBootingTest {
    private static final String TOKEN = "scale-booting-test-token-0123456";
    private static final String TYPES = """
            clouds:
              home: { subnet: 10.98.1.0/24, capacity: 8 }
            types:
              sip:
                template:
                  command: [d2r2, sip-server, --listen, "${address}:${port}", --name, "${name}"]
                  port: 5060
                  cpu: 0.5
                  image: example.org/d2r2:1
                cloud: home
                min: 1
                max: 6
                metrics:
                  calls_per_s: { warning: 30, critical: 40, warning-for: 1500ms, critical-for: 1200ms }
                target: { metric: calls_per_s, per-instance: 25 }
                scale-down: { metric: active_calls, below: 1, for: 1h }
                cooldown: { out: 1s, in: 1h }
            """;
    /** Five instances' worth at the target. */
    private static final double SPIKE = 125;
    private static final Duration POLL = Duration.ofMillis(250);

    @RegisterExtension
    final MockCluster cluster = new MockCluster();
    @RegisterExtension
    final LoopbackEdge edge = new LoopbackEdge(TOKEN);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final RecordedEvents events = new RecordedEvents();
    private final AtomicLong marks = new AtomicLong();
    private ScalerRole scaler;
    private int overloadsSeen;

    @Test
    void aSpikeIsMetByOneScaleOutWhileItsClonesBoot() throws Exception {
        ScaleConfig config = ScaleConfig.parse("t.yaml", TYPES);
        EdgeClient client = edge.client();
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(10), Duration.ofMillis(100), null, null);
        try (ScalerRole role = new ScalerRole(config, cluster.drivers(config, "booting", Duration.ofSeconds(60), "home"),
                client, options, clock, events)) {
            scaler = role;
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 1);
            cluster.pods.hold();

            for (int i = 0; i < 24; i++) {
                read(SPIKE);
            }
            assertThat(loads()).extracting(LoadLevel::to).as("the load's turns while the clones boot").containsExactly("overload");
            assertThat(outs()).as("one decision, sized to the spike").hasSize(1);
            assertThat(outs().getFirst()).extracting(ScaleStep::before, ScaleStep::after).containsExactly(1L, 5L);

            order();
            assertThat(steps().getLast()).extracting(ScaleStep::after, ScaleStep::why)
                    .containsExactly(5L, "4 instances coming into service carry the load");

            cluster.pods.release();
            await().atMost(Duration.ofSeconds(30)).until(() -> serving() == 5);
            read(SPIKE);
            assertThat(loads()).extracting(LoadLevel::to).as("five serve the spike at the target").containsExactly("overload", "ok");
            assertThat(outs()).hasSize(1);
            assertThat(cluster.client.pods().inNamespace("home-ns").list().getItems()).hasSize(5);
        }
    }

    /** One reading of the edge at {@code callsPerSecond}, as the poller gives it; the policy's order on a turn to overload. */
    private void read(double callsPerSecond) {
        scaler.submit(new Observation(clock.millis(), Map.of(), callsPerSecond));
        sync();
        long overloads = loads().stream().filter(l -> l.to().equals("overload")).count();
        if (overloads > overloadsSeen) {
            overloadsSeen = (int) overloads;
            order();
        }
        clock.advance(POLL);
    }

    /** A scale-out, as the policy's obligation orders it through the scaler's API. */
    private void order() {
        scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
        sync();
    }

    /** Returns once the scaler has taken everything submitted before: it hands an event submitted to it on, in order. */
    private void sync() {
        String mark = "mark-" + marks.incrementAndGet();
        scaler.submit(Event.message("test.sync", clock.millis(), mark, Map.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.all().stream().anyMatch(e -> e.source().equals(mark)));
    }

    private long serving() {
        return events.changes().stream().filter(c -> c.to().equals("serving")).count();
    }

    private List<LoadLevel> loads() {
        return events.of(ScaleEvents.LOAD, LoadLevel::from);
    }

    private List<ScaleStep> steps() {
        return events.of(ScaleEvents.STEP, ScaleStep::from);
    }

    private List<ScaleStep> outs() {
        return steps().stream().filter(s -> s.direction().equals("out") && s.after() > s.before()).toList();
    }
}
