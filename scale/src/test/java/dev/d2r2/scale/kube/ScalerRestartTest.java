package dev.d2r2.scale.kube;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.KubernetesDriver;
import dev.d2r2.scale.events.InstanceChange;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scaler that restarts finds its instances where the cluster kept them: the new scaler adopts
 * the running Pods (health-checked, kept at the edge that outlived it) instead of starting
 * duplicates, and finishes the drain its predecessor began.
 */
class ScalerRestartTest {
    private static final String TOKEN = "scale-restart-test-token-0123456";
    @RegisterExtension
    final MockCluster cluster = new MockCluster();
    private final RecordedEvents events = new RecordedEvents();
    @RegisterExtension
    final LoopbackEdge edge = new LoopbackEdge(TOKEN);

    private ScalerRole scaler(ScaleConfig config, EdgeClient client) {
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(10), Duration.ofSeconds(1), null, null);
        return new ScalerRole(config, cluster.drivers(config, "restart", Duration.ofSeconds(10), "home", "remote"),
                client, options, Clock.system(), events);
    }

    private long serving() {
        return events.changes().stream().filter(c -> c.to().equals("serving")).count();
    }

    private int pods() {
        return cluster.client.pods().inAnyNamespace().list().getItems().size();
    }

    @Test
    void aRestartedScalerAdoptsWhatRunsInsteadOfStartingDuplicates() throws Exception {
        ScaleConfig config = KubernetesDriverTest.config(KubernetesDriverTest.IMAGE, 2);
        EdgeClient client = edge.client();
        try (ScalerRole first = scaler(config, client)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 2);
        }
        assertThat(pods()).as("the Pods outlive the scaler").isEqualTo(2);
        assertThat(client.dialogs()).hasSize(2);
        events.clear();

        try (ScalerRole second = scaler(config, client)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 2);
            assertThat(events.changes()).noneMatch(c -> c.to().equals("starting"));
            assertThat(events.changes()).filteredOn(c -> c.to().equals("running")).extracting(InstanceChange::why)
                    .containsOnly("adopted after a restart of the scaler");
            assertThat(second.instances()).extracting(m -> m.get("state")).containsOnly("serving").hasSize(2);
        }
        assertThat(pods()).isEqualTo(2);
        assertThat(cluster.pods.serving()).isEqualTo(2);
        assertThat(client.dialogs()).as("the edge has each instance once").hasSize(2);
    }

    @Test
    void aDrainCutShortByARestartIsFinishedByTheNextScaler() throws Exception {
        ScaleConfig config = KubernetesDriverTest.config(KubernetesDriverTest.IMAGE, 1);
        EdgeClient client = edge.client();
        try (ScalerRole first = scaler(config, client)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 1);
            first.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/out"));
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 2);
        }
        // what a crash in the middle of a drain leaves: the Pod marked draining, the edge draining it
        String second = events.changes().stream().filter(c -> c.to().equals("serving")).toList().getLast().instance();
        String address = events.changes().stream().filter(c -> c.instance().equals(second) && c.to().equals("serving")).findFirst()
                .orElseThrow().address();
        cluster.client.pods().inNamespace("remote-ns").withName(second)
                .edit(p -> new PodBuilder(p).editMetadata()
                        .addToAnnotations(KubernetesDriver.DRAINING, "true").endMetadata().build());
        client.drain(address);
        events.clear();

        try (ScalerRole next = scaler(config, client)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> events.changes().stream()
                    .anyMatch(c -> c.instance().equals(second) && c.to().equals("stopped")));
            await().atMost(Duration.ofSeconds(20)).until(() -> serving() == 1);
            assertThat(events.changes()).noneMatch(c -> c.to().equals("starting"));
        }
        assertThat(pods()).isEqualTo(1);
        assertThat(client.dialogs()).hasSize(1).doesNotContainKey(address);
    }
}
