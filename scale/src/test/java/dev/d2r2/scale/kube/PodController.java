package dev.d2r2.scale.kube;

import dev.d2r2.sip.server.SipServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the kubelet would do, for the mock API server (which stores objects and nothing more):
 * each new Pod gets a real d2r2 SIP server on an address of its own in 127.0.83.0/24 — its Pod
 * IP — and then its Ready condition; a deleted Pod's server is closed. Pods whose image is
 * {@link #NEVER_READY} are left pending, and so are the Pods created while the controller
 * {@link #hold}s (booting) until it {@link #release}s them. The controller outlives the scalers of
 * a test, as a cluster does.
 */
final class PodController implements AutoCloseable {
    static final String NEVER_READY = "example.org/never-ready:1";
    private final KubernetesClient client;
    private final Map<String, SipServer> servers = new ConcurrentHashMap<>();
    private final AtomicInteger nextIp = new AtomicInteger(10);
    private final Watch watch;
    private final List<Pod> held = new ArrayList<>();
    private boolean holding;

    PodController(KubernetesClient client) {
        this.client = client;
        this.watch = client.pods().inAnyNamespace().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                switch (action) {
                    case ADDED -> boot(pod);
                    case DELETED -> stop(pod);
                    default -> { }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    /** Pods created from now on stay pending (still booting) until {@link #release}. */
    synchronized void hold() {
        holding = true;
    }

    /** Boots the Pods held, and those created from now on. */
    synchronized void release() {
        holding = false;
        held.forEach(this::boot);
        held.clear();
    }

    private synchronized void boot(Pod pod) {
        if (holding) {
            held.add(pod);
            return;
        }
        if (NEVER_READY.equals(pod.getSpec().getContainers().getFirst().getImage()) || servers.containsKey(key(pod))) {
            return;
        }
        String ip = "127.0.83." + nextIp.getAndIncrement();
        int port = pod.getSpec().getContainers().getFirst().getPorts().getFirst().getContainerPort();
        try {
            servers.put(key(pod), new SipServer(new InetSocketAddress(ip, port), 0, 0, pod.getMetadata().getName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .editStatus(p -> new PodBuilder(p).withStatus(new PodStatusBuilder().withPhase("Running")
                        .withPodIP(ip).withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).build())
                        .build());
    }

    private void stop(Pod pod) {
        SipServer s = servers.remove(key(pod));
        if (s != null) {
            close(s);
        }
    }

    private static void close(SipServer s) {
        try {
            s.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Pods whose SIP server runs. */
    int serving() {
        return servers.size();
    }

    @Override
    public void close() {
        watch.close();
        servers.values().forEach(PodController::close);
        servers.clear();
    }
}
