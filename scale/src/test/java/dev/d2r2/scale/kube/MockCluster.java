package dev.d2r2.scale.kube;

import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.driver.Driver;
import dev.d2r2.scale.driver.KubernetesDriver;
import dev.d2r2.scale.driver.Lifecycle;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A cluster for the tests: fabric8's mock API server in CRUD mode (it stores and watches objects
 * as an API server does, on loopback) and the {@link PodController} that plays the kubelet; closed
 * after each test ({@code @RegisterExtension final MockCluster cluster = new MockCluster();}).
 */
final class MockCluster implements AfterEachCallback {
    private final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
    final NamespacedKubernetesClient client;
    final PodController pods;

    MockCluster() {
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        pods = new PodController(client);
    }

    /** The clouds {@code names} on this cluster, each in the namespace of its name and {@code -ns}. */
    Map<String, KubernetesDriver.Target> clouds(String... names) {
        return Arrays.stream(names).collect(Collectors.toMap(n -> n, n -> new KubernetesDriver.Target(client, n + "-ns")));
    }

    /** A scaler's drivers on this cluster, placing in {@code clouds}: what {@code ScalerRole} takes. */
    Function<Lifecycle, Driver> drivers(ScaleConfig config, String scaler, Duration readyDeadline, String... clouds) {
        Map<String, KubernetesDriver.Target> targets = clouds(clouds);
        return lifecycle -> new KubernetesDriver(config, targets, scaler, readyDeadline, lifecycle);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        pods.close();
        client.close();
        server.destroy();
    }
}
