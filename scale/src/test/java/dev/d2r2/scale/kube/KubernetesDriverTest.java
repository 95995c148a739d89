package dev.d2r2.scale.kube;

import dev.d2r2.core.Clock;
import dev.d2r2.scale.SipProbe;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.driver.DriverException;
import dev.d2r2.scale.driver.Instance;
import dev.d2r2.scale.driver.KubernetesDriver;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.driver.Phases;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kubernetes driver against fabric8's mock API server in CRUD mode (no cluster runs here),
 * with a test-side controller that gives each Pod a real SIP server and its Ready condition.
 */
class KubernetesDriverTest {
    static final String TYPES = """
            clouds:
              home:   { subnet: 10.98.1.0/24, capacity: 1 }
              remote: { subnet: 10.98.2.0/24, capacity: 3 }
            types:
              sip:
                template:
                  command: [d2r2, sip-server, --listen, "${address}:${port}", --name, "${name}"]
                  port: 5060
                  cpu: 0.5
                  image: %s
                cloud: home
                min: %d
                max: 4
                metrics:
                  active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                target: { metric: active_calls, per-instance: 500 }
                scale-down: { below: 1, for: 1h }
                cooldown: { out: 0s, in: 0s }
            """;
    static final String IMAGE = "example.org/d2r2:1";

    @RegisterExtension
    final MockCluster cluster = new MockCluster();
    private final List<InstanceChange> changes = new CopyOnWriteArrayList<>();
    private final List<PhaseTimed> phases = new CopyOnWriteArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle(Clock.system(), changes::add);

    static ScaleConfig config(String image, int min) throws Exception {
        return ScaleConfig.parse("t.yaml", TYPES.formatted(image, min));
    }

    private KubernetesDriver driver(String image, String scaler) throws Exception {
        return new KubernetesDriver(config(image, 1), cluster.clouds("home", "remote"), scaler, Duration.ofSeconds(10), lifecycle);
    }

    private Phases phases(String step) {
        return new Phases(Clock.system(), step, "new", "?", phases::add);
    }

    private List<String> life(String instance) {
        return changes.stream().filter(c -> c.instance().equals(instance)).map(InstanceChange::to).toList();
    }

    private List<Pod> pods(String namespace) {
        return cluster.client.pods().inNamespace(namespace).list().getItems();
    }

    @Test
    void startsAPodPerInstanceClonesItIntoTheOtherCloudThenDrainsAndDeletesIt() throws Exception {
        KubernetesDriver driver = driver(IMAGE, "t1");
        Instance first = driver.start("sip", "home", phases("s1"));
        assertThat(first.host()).startsWith("127.0.83.");
        assertThat(SipProbe.healthy(first.host(), first.port(), Duration.ofSeconds(5), Duration.ofMillis(100)))
                .as("the Pod's IP answers SIP OPTIONS").isTrue();
        Pod pod = cluster.client.pods().inNamespace("home-ns").withName("sip-1").get();
        assertThat(pod.getMetadata().getLabels()).containsEntry(KubernetesDriver.SCALER, "t1").containsEntry(KubernetesDriver.TYPE, "sip")
                .containsEntry(KubernetesDriver.MANAGED_BY, "d2r2");
        assertThat(pod.getSpec().getContainers().getFirst().getImage()).isEqualTo(IMAGE);
        assertThat(pod.getSpec().getContainers().getFirst().getCommand())
                .containsExactly("d2r2", "sip-server", "--listen", "0.0.0.0:5060", "--name", "sip-1");
        assertThat(pod.getSpec().getContainers().getFirst().getResources().getLimits().get("cpu").toString()).isEqualTo("500m");
        assertThat(life("sip-1")).containsExactly("starting", "running");

        assertThatThrownBy(() -> driver.start("sip", "home", phases("full"))).isInstanceOf(DriverException.class)
                .hasMessageContaining("cloud home is full");
        assertThat(pods("home-ns")).extracting(p -> p.getMetadata().getName()).containsExactly("sip-1");

        phases.clear();
        Instance clone = driver.clone(first, "remote", phases("s2"));
        assertThat(phases).extracting(PhaseTimed::phase).containsExactly("snapshot", "register", "configure", "boot");
        assertThat(phases).allMatch(PhaseTimed::ok).allMatch(p -> p.instance().equals(clone.name()));
        Pod cloned = cluster.client.pods().inNamespace("remote-ns").withName(clone.name()).get();
        assertThat(cloned.getMetadata().getAnnotations()).containsEntry(KubernetesDriver.CLONED_FROM, "home/sip-1");
        assertThat(cloned.getSpec().getContainers().getFirst().getCommand()).containsExactly("d2r2", "sip-server", "--listen",
                "0.0.0.0:5060", "--name", clone.name());
        assertThat(SipProbe.healthy(clone.host(), clone.port(), Duration.ofSeconds(5), Duration.ofMillis(100))).isTrue();
        assertThat(driver.list()).extracting(Instance::name).containsExactly("sip-1", clone.name());

        driver.drain(clone);
        assertThat(cluster.client.pods().inNamespace("remote-ns").withName(clone.name()).get().getMetadata().getAnnotations())
                .containsEntry(KubernetesDriver.DRAINING, "true");
        driver.stop(clone, "scaled in");
        assertThat(pods("remote-ns")).isEmpty();
        assertThat(life(clone.name())).containsExactly("starting", "running", "draining", "stopped");
        assertThat(driver.list()).extracting(Instance::name).containsExactly("sip-1");
        assertThatThrownBy(() -> driver.stop(clone, "again")).isInstanceOf(DriverException.class);
    }

    @Test
    void aPodThatNeverBecomesReadyIsDeletedAndReported() throws Exception {
        KubernetesDriver driver = new KubernetesDriver(config(PodController.NEVER_READY, 1), cluster.clouds("home", "remote"), "t2",
                Duration.ofMillis(500), lifecycle);
        assertThatThrownBy(() -> driver.start("sip", "home", phases("s"))).isInstanceOf(DriverException.class)
                .hasMessageContaining("not Ready within 500 ms");
        assertThat(pods("home-ns")).isEmpty();
        assertThat(life("sip-1")).containsExactly("starting", "failed", "stopped");
        assertThat(phases).extracting(PhaseTimed::phase).containsExactly("register", "configure", "boot");
        assertThat(phases.getLast().ok()).isFalse();
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void aNewDriverAdoptsItsOwnReadyPodsAsTheyWereAndNoOneElses() throws Exception {
        KubernetesDriver before = driver(IMAGE, "t3");
        Instance a = before.start("sip", "remote", phases("a"));
        Instance b = before.start("sip", "remote", phases("b"));
        before.drain(b);
        before.close();
        assertThat(pods("remote-ns")).as("close leaves the Pods to the cluster").hasSize(2);
        driver(IMAGE, "other").start("sip", "home", phases("other"));
        cluster.client.pods().inNamespace("remote-ns").resource(new PodBuilder().withNewMetadata().withName("sip-7")
                .addToLabels(KubernetesDriver.MANAGED_BY, "d2r2").addToLabels(KubernetesDriver.SCALER, "t3")
                .addToLabels(KubernetesDriver.TYPE, "sip").endMetadata()
                .withNewSpec().addNewContainer().withName("sip").withImage(PodController.NEVER_READY).endContainer().endSpec()
                .build()).create();
        changes.clear();

        KubernetesDriver after = driver(IMAGE, "t3");
        List<Instance> adopted = after.adopt();
        assertThat(adopted).containsExactlyInAnyOrder(a, b);
        assertThat(lifecycle.state("sip-1")).isEqualTo(Lifecycle.RUNNING);
        assertThat(lifecycle.state("sip-2")).isEqualTo(Lifecycle.DRAINING);
        assertThat(life("sip-7")).as("half-started: deleted, not adopted").containsExactly("failed", "stopped");
        assertThat(pods("remote-ns")).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("sip-1", "sip-2");
        assertThat(pods("home-ns")).as("another scaler's Pod is left alone").hasSize(1);

        Instance c = after.start("sip", "remote", phases("c"));
        assertThat(c.name()).as("numbered after what it adopted").isEqualTo("sip-8");
    }
}
