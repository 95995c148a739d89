package dev.d2r2.scale.kube;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetAddress;
import java.util.HashMap;

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

    @Override
    public void afterEach(ExtensionContext context) {
        pods.close();
        client.close();
        server.destroy();
    }
}
