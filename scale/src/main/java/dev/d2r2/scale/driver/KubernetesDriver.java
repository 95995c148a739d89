package dev.d2r2.scale.driver;

import dev.d2r2.scale.Cloud;
import dev.d2r2.scale.InstanceType;
import dev.d2r2.scale.ScaleConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.PodResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The kubernetes driver (fabric8 kubernetes-client, JDK HTTP client): an instance is a Pod of its
 * own, named after the instance ({@code type-N}) in its cloud's namespace, labelled with the
 * scaler that owns it. A Pod per instance, not a Deployment's replica count, because a scale-in
 * drains one chosen instance and must delete exactly that one: a ReplicaSet would pick its own
 * victim. The container runs the type's {@code image} and command ({@code ${address}} is
 * {@code 0.0.0.0}: the Pod's IP is known only once it runs) under a CPU limit of the type's
 * {@code cpu}; the instance's address is the Pod's IP once the Pod is Ready.
 *
 * <p>A clone's snapshot is the source Pod's container as it runs (image, command, environment), so
 * the clone runs what the source runs; nothing is transferred: the target cluster's nodes pull
 * the image from its registry. A drain is recorded on the Pod (an annotation), so that a
 * restarted scaler {@link #adopt}s it as draining. {@link #close} leaves the Pods to the cluster.
 */
public final class KubernetesDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesDriver.class);
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "d2r2";
    public static final String SCALER = "d2r2.dev/scaler";
    public static final String TYPE = "d2r2.dev/type";
    public static final String CLONED_FROM = "d2r2.dev/cloned-from";
    public static final String DRAINING = "d2r2.dev/draining";
    static final String ANY_ADDRESS = "0.0.0.0";

    /** Where a cloud's Pods go: a cluster (its client) and a namespace in it. */
    public record Target(KubernetesClient client, String namespace) {
        public Target {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    private final ScaleConfig config;
    private final Map<String, Target> clouds;
    private final String scaler;
    private final Duration readyDeadline;
    private final Lifecycle lifecycle;
    private final Map<String, Instance> running = new LinkedHashMap<>();
    private int next = 1;

    /**
     * @param clouds each cloud's cluster and namespace (a cloud missing here cannot be used)
     * @param scaler the scaler's name, a label on its Pods: what it adopts after a restart
     * @param readyDeadline how long a new Pod has to become Ready before it is deleted and reported
     */
    public KubernetesDriver(ScaleConfig config, Map<String, Target> clouds, String scaler, Duration readyDeadline, Lifecycle lifecycle) {
        for (Map.Entry<String, InstanceType> t : config.types().entrySet()) {
            if (t.getValue().template().image() == null) {
                throw new IllegalArgumentException("type " + t.getKey() + ": the kubernetes driver needs template.image");
            }
        }
        this.config = config;
        this.clouds = Map.copyOf(clouds);
        this.scaler = scaler;
        this.readyDeadline = readyDeadline;
        this.lifecycle = lifecycle;
    }

    @Override
    public synchronized Instance start(String type, String cloud, Phases phases) throws DriverException {
        InstanceType spec = config.type(type);
        List<String> command = spec.template().command(ANY_ADDRESS, "${name}", cloud, config.clouds().get(cloud).identity());
        Container container = new ContainerBuilder().withName(type).withImage(spec.template().image()).withCommand(command).build();
        return bringUp(name(type, phases), type, cloud, container, null, phases);
    }

    /** The next instance's name, {@code type-N}: its phases are reported under it from the first. */
    private String name(String type, Phases phases) {
        String name = type + "-" + next++;
        phases.instance(name);
        return name;
    }

    @Override
    public synchronized Instance clone(Instance source, String cloud, Phases phases) throws DriverException {
        if (!running.containsKey(source.name())) {
            throw new DriverException("no running instance " + source.name() + " to clone");
        }
        String name = name(source.type(), phases);
        Container container = phases.step(Phases.SNAPSHOT, () -> snapshot(source));
        return bringUp(name, source.type(), cloud, container, source, phases);
    }

    /** The source Pod's container as it runs, its command with the source's own name put back as a placeholder. */
    private Container snapshot(Instance source) throws DriverException {
        Pod pod = pods(source.cloud()).withName(source.name()).get();
        if (pod == null) {
            throw new DriverException("pod " + source.name() + " is gone");
        }
        Container c = pod.getSpec().getContainers().getFirst();
        List<String> command = c.getCommand().stream().map(a -> a.equals(source.name()) ? "${name}" : a).toList();
        return new ContainerBuilder(c).withCommand(command).build();
    }

    private Instance bringUp(String name, String type, String cloud, Container container, Instance source, Phases phases)
            throws DriverException {
        InstanceType spec = config.type(type);
        Instance registered = phases.step(Phases.REGISTER, () -> register(name, type, cloud, spec));
        try {
            Pod pod = phases.step(Phases.CONFIGURE, () -> pod(registered, container, spec, source));
            Instance up = phases.step(Phases.BOOT, () -> boot(registered, pod));
            running.put(name, up);
            lifecycle.move(up, Lifecycle.RUNNING, null);
            return up;
        } catch (DriverException e) {
            delete(registered);
            lifecycle.move(registered, Lifecycle.FAILED, e.getMessage());
            lifecycle.move(registered, Lifecycle.STOPPED, e.getMessage());
            throw e;
        }
    }

    /** Checks the cloud and its room; the instance has no address until its Pod runs. */
    private Instance register(String name, String type, String cloudName, InstanceType spec) throws DriverException {
        Cloud cloud = config.clouds().get(cloudName);
        if (cloud == null || !clouds.containsKey(cloudName)) {
            throw new DriverException("unknown cloud " + cloudName + " (the driver knows " + String.join(", ", clouds.keySet()) + ")");
        }
        long used = running.values().stream().filter(i -> i.cloud().equals(cloudName)).count();
        if (used >= cloud.capacity()) {
            throw new DriverException("cloud " + cloudName + " is full (" + cloud.capacity() + " instances)");
        }
        Instance i = new Instance(name, type, cloudName, "", spec.template().port());
        lifecycle.move(i, Lifecycle.STARTING, null);
        return i;
    }

    private Pod pod(Instance i, Container template, InstanceType spec, Instance source) {
        List<String> command = template.getCommand().stream().map(a -> a.replace("${name}", i.name())).toList();
        long milliCores = Math.round(spec.template().cpu() * 1000);
        Container c = new ContainerBuilder(template).withCommand(command)
                .withPorts(List.of()).addNewPort().withName("sip").withContainerPort(spec.template().port()).withProtocol("UDP").endPort()
                .withNewResources().addToLimits("cpu", new Quantity(milliCores + "m")).endResources()
                .build();
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(i.name())
                .addToLabels(MANAGED_BY, MANAGER).addToLabels(SCALER, scaler).addToLabels(TYPE, i.type())
                .endMetadata()
                .withNewSpec().withContainers(c).withRestartPolicy("Always").endSpec();
        if (source != null) {
            pod.editMetadata().addToAnnotations(CLONED_FROM, source.cloud() + "/" + source.name()).endMetadata();
        }
        return pod.build();
    }

    /** Creates the Pod and watches it until it is Ready with an IP (or the deadline passes). */
    private Instance boot(Instance i, Pod pod) throws DriverException {
        PodResource resource = pods(i.cloud()).withName(i.name());
        try {
            pods(i.cloud()).resource(pod).create();
            Pod ready = resource.waitUntilCondition(p -> p == null || ready(p), readyDeadline.toMillis(), TimeUnit.MILLISECONDS);
            if (ready == null) {
                throw new DriverException("pod " + i.name() + " was deleted while it started");
            }
            return new Instance(i.name(), i.type(), i.cloud(), ready.getStatus().getPodIP(), i.port());
        } catch (KubernetesClientTimeoutException e) {
            throw new DriverException("pod " + i.name() + " not Ready within " + readyDeadline.toMillis() + " ms", e);
        } catch (KubernetesClientException e) {
            throw new DriverException("pod " + i.name() + ": " + reason(e), e);
        }
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getPodIP() != null && !p.getStatus().getPodIP().isBlank()
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public synchronized void drain(Instance instance) throws DriverException {
        if (!running.containsKey(instance.name())) {
            throw new DriverException("no running instance " + instance.name() + " to drain");
        }
        try {
            pods(instance.cloud()).withName(instance.name())
                    .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations(DRAINING, "true").endMetadata().build());
        } catch (KubernetesClientException e) {
            throw new DriverException("drain " + instance.name() + ": " + reason(e), e);
        }
        lifecycle.move(instance, Lifecycle.DRAINING, null);
    }

    @Override
    public synchronized void stop(Instance instance, String why) throws DriverException {
        if (running.remove(instance.name()) == null) {
            throw new DriverException("no running instance " + instance.name() + " to stop");
        }
        try {
            pods(instance.cloud()).withName(instance.name()).delete();
        } catch (KubernetesClientException e) {
            throw new DriverException("delete pod " + instance.name() + ": " + reason(e), e);
        } finally {
            lifecycle.move(instance, Lifecycle.STOPPED, why);
        }
    }

    private void delete(Instance i) {
        try {
            pods(i.cloud()).withName(i.name()).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("scale: could not delete pod {}: {}", i.name(), reason(e));
        }
    }

    @Override
    public synchronized List<Instance> list() {
        return List.copyOf(running.values());
    }

    /** The Pods this scaler labelled, in every cloud it knows: Ready ones adopted, others deleted and reported. */
    @Override
    public synchronized List<Instance> adopt() throws DriverException {
        List<Instance> adopted = new ArrayList<>();
        for (String cloud : clouds.keySet()) {
            List<Pod> pods;
            try {
                pods = pods(cloud).withLabel(MANAGED_BY, MANAGER).withLabel(SCALER, scaler).list().getItems();
            } catch (KubernetesClientException e) {
                throw new DriverException("list pods in " + cloud + ": " + reason(e), e);
            }
            for (Pod p : pods) {
                Instance i = adopt(cloud, p);
                if (i != null) {
                    adopted.add(i);
                }
            }
        }
        return adopted;
    }

    private Instance adopt(String cloud, Pod p) {
        String name = p.getMetadata().getName();
        String type = p.getMetadata().getLabels().get(TYPE);
        int n = Adoption.number(config, type, name);
        if (n < 0) {
            LOG.warn("scale: pod {} in {} carries the scaler's label but no type it knows: left alone", name, cloud);
            return null;
        }
        next = Math.max(next, n + 1);
        int port = config.type(type).template().port();
        if (!ready(p)) {
            Instance half = new Instance(name, type, cloud, "", port);
            delete(half);
            Adoption.removed(lifecycle, half, "found not Ready", "deleted");
            return null;
        }
        Instance i = new Instance(name, type, cloud, p.getStatus().getPodIP(), port);
        running.put(name, i);
        Adoption.adopted(lifecycle, i, "true".equals(p.getMetadata().getAnnotations() == null ? null
                : p.getMetadata().getAnnotations().get(DRAINING)));
        return i;
    }

    private NonNamespaceOperation<Pod, PodList, PodResource> pods(String cloud) {
        Target t = clouds.get(cloud);
        return t.client().pods().inNamespace(t.namespace());
    }

    /** Forgets the instances and leaves their Pods running: the cluster keeps them for the next run to adopt. */
    @Override
    public synchronized void close() {
        running.clear();
    }

    /** What the client says went wrong: its message, or its cause's when it has none (a timeout, a refused connection). */
    private static String reason(KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getCause() != null ? e.getCause().getClass().getSimpleName() : "the API server did not say why";
    }
}
