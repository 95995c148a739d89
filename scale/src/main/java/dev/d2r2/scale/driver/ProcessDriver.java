package dev.d2r2.scale.driver;

import dev.d2r2.scale.Cloud;
import dev.d2r2.scale.InstanceType;
import dev.d2r2.scale.ScaleConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded driver: an instance is a process (its type's command) in a network namespace of
 * its own, with its own address on its cloud's bridge and a cgroup (v1 {@code cpu}) quota of its
 * type's CPU, so that overload is real. A cloud is a bridge on this host whose first address is
 * the host's: the edge reaches every instance directly. An instance runs in a directory of its
 * own — its state — which a clone copies; its type's artifact (an image file) is copied once to
 * each cloud that runs a clone of it.
 *
 * <p>Every name starts with {@code prefix} (bridges {@code PREFIX<cloud>}, veth pairs
 * {@code PREFIXv<n>}, namespaces and cgroups {@code PREFIX<instance>}), so that a restarted
 * scaler's driver {@link #adopt}s what a crashed run left running, and {@link #cleanup} removes
 * what a run left behind, and nothing else.
 */
public final class ProcessDriver implements Driver {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessDriver.class);
    public static final String DEFAULT_PREFIX = "d2r2s-";
    static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu");
    private static final int MAX_INTERFACE_NAME = 15;
    private static final long CFS_PERIOD_US = 100_000;
    private static final long STOP_GRACE_SECONDS = 5;
    private static final long MIN_BURST_BYTES = 64 * 1024;
    /** How long a cloud's image store (a JVM) may take to listen. */
    private static final java.time.Duration STORE_START = java.time.Duration.ofSeconds(20);
    /** The alias of a draining instance's veth: what tells a restarted scaler to finish its drain. */
    static final String DRAINING_MARK = "d2r2-draining";
    private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    /** {@code sh -c SCRIPT CGROUP NETNS CMD...}: joins the cgroup ($0), then becomes the command in the namespace. */
    private static final String JOIN_AND_EXEC = "echo $$ > \"$0\"/cgroup.procs && exec ip netns exec \"$@\"";

    private final ScaleConfig config;
    private final String prefix;
    private final Path workDir;
    private final Lifecycle lifecycle;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Set<String> bridges = new LinkedHashSet<>();
    private final Map<String, Process> stores = new LinkedHashMap<>();
    private int next = 1;

    /** An instance and what it holds on the machine; {@code process} is null until it boots. */
    private record Running(Instance instance, int host, String netns, String veth, Path cgroup, Path dir, ProcessHandle process) {
    }

    public ProcessDriver(ScaleConfig config, String prefix, Path workDir, Lifecycle lifecycle) {
        if (prefix.length() + 6 > MAX_INTERFACE_NAME) {
            throw new IllegalArgumentException("prefix " + prefix + " is too long: interface names have at most " + MAX_INTERFACE_NAME
                    + " characters (prefix, then a cloud name of 6 or v and 5 digits)");
        }
        this.config = config;
        this.prefix = prefix;
        this.workDir = workDir;
        this.lifecycle = lifecycle;
    }

    @Override
    public synchronized Instance start(String type, String cloud, Phases phases) throws DriverException {
        return bringUp(type, cloud, null, name(type, phases), phases);
    }

    @Override
    public synchronized Instance clone(Instance source, String cloud, Phases phases) throws DriverException {
        Running from = running.get(source.name());
        if (from == null) {
            throw new DriverException("no running instance " + source.name() + " to clone");
        }
        int n = name(source.type(), phases);
        Path snapshot = phases.step(Phases.SNAPSHOT, () -> snapshot(from, n));
        phases.step(Phases.TRANSFER, () -> transfer(from.instance().type(), cloud));
        return bringUp(source.type(), cloud, snapshot, n, phases);
    }

    /** The number of the next instance, named {@code type-N}: its phases are reported under that name from the first. */
    private int name(String type, Phases phases) {
        int n = next++;
        phases.instance(type + "-" + n);
        return n;
    }

    private Instance bringUp(String type, String cloud, Path state, int n, Phases phases) throws DriverException {
        InstanceType spec = config.type(type);
        Running r = phases.step(Phases.REGISTER, () -> register(type, n, cloud, spec));
        try {
            phases.step(Phases.CONFIGURE, () -> configure(r, state));
            Running booted = phases.step(Phases.BOOT, () -> boot(r, spec));
            running.put(r.instance().name(), booted);
            lifecycle.move(r.instance(), Lifecycle.RUNNING, null);
            return r.instance();
        } catch (DriverException e) {
            release(r);
            lifecycle.move(r.instance(), Lifecycle.FAILED, e.getMessage());
            lifecycle.move(r.instance(), Lifecycle.STOPPED, e.getMessage());
            throw e;
        }
    }

    /** Gives the instance a name, the cloud's lowest free address, a namespace, veth and cgroup name. */
    private Running register(String type, int n, String cloudName, InstanceType spec) throws DriverException {
        Cloud cloud = config.clouds().get(cloudName);
        if (cloud == null) {
            throw new DriverException("unknown cloud " + cloudName);
        }
        int host = 1;
        while (host <= cloud.capacity() && taken(cloudName, host)) {
            host++;
        }
        if (host > cloud.capacity()) {
            throw new DriverException("cloud " + cloudName + " is full (" + cloud.capacity() + " instances)");
        }
        String name = type + "-" + n;
        Instance i = new Instance(name, type, cloudName, cloud.address(host), spec.template().port());
        lifecycle.move(i, Lifecycle.STARTING, null);
        return running(i, host, n, null);
    }

    private Running running(Instance i, int host, int n, ProcessHandle process) {
        return new Running(i, host, prefix + i.name(), prefix + "v" + n, CPU_CGROUPS.resolve(prefix + i.name()),
                workDir.resolve("instances").resolve(i.name()), process);
    }

    private boolean taken(String cloud, int host) {
        return running.values().stream().anyMatch(r -> r.instance().cloud().equals(cloud) && r.host() == host);
    }

    /** The instance's directory: a copy of the snapshot's state, or empty. */
    private Path configure(Running r, Path state) throws DriverException {
        try {
            Files.createDirectories(r.dir());
            if (state != null) {
                copyTree(state, r.dir());
            }
            return r.dir();
        } catch (IOException | UncheckedIOException e) {
            throw new DriverException("configure " + r.instance().name() + ": " + e.getMessage(), e);
        }
    }

    private Running boot(Running r, InstanceType spec) throws DriverException {
        Cloud cloud = config.clouds().get(r.instance().cloud());
        bridge(r.instance().cloud(), cloud);
        String peer = prefix + "p" + r.veth().substring(prefix.length() + 1);
        Host.run("ip", "netns", "add", r.netns());
        Host.run("ip", "link", "add", r.veth(), "type", "veth", "peer", "name", peer);
        Host.run("ip", "link", "set", peer, "netns", r.netns());
        Host.run("ip", "-n", r.netns(), "link", "set", peer, "name", "eth0");
        Host.run("ip", "-n", r.netns(), "addr", "add", r.instance().host() + "/24", "dev", "eth0");
        Host.run("ip", "-n", r.netns(), "link", "set", "eth0", "up");
        Host.run("ip", "-n", r.netns(), "link", "set", "lo", "up");
        Host.run("ip", "-n", r.netns(), "route", "add", "default", "via", cloud.gateway());
        Host.run("ip", "link", "set", r.veth(), "master", prefix + r.instance().cloud(), "up");
        try {
            Files.createDirectories(r.cgroup());
            Files.writeString(r.cgroup().resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
            Files.writeString(r.cgroup().resolve("cpu.cfs_quota_us"), Long.toString(Math.round(spec.template().cpu() * CFS_PERIOD_US)));
        } catch (IOException e) {
            throw new DriverException("cgroup " + r.cgroup() + ": " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>(List.of("sh", "-c", JOIN_AND_EXEC, r.cgroup().toString(), r.netns()));
        command.addAll(spec.template().command(r.instance().host(), r.instance().name(), r.instance().cloud(), cloud.identity()));
        try {
            Process p = new ProcessBuilder(command).directory(r.dir().toFile())
                    .redirectErrorStream(true).redirectOutput(r.dir().resolve("out.log").toFile()).start();
            return new Running(r.instance(), r.host(), r.netns(), r.veth(), r.cgroup(), r.dir(), p.toHandle());
        } catch (IOException e) {
            throw new DriverException("boot " + r.instance().name() + ": " + e.getMessage(), e);
        }
    }

    private void bridge(String name, Cloud cloud) throws DriverException {
        if (bridges.add(name)) {
            setUpBridge(prefix + name, cloud);
        }
    }

    /** Sets up the bridge of every cloud (it is kept if it exists): for what must bind a cloud's gateway address before the first instance. */
    public static void network(ScaleConfig config, String prefix) throws DriverException {
        for (Map.Entry<String, Cloud> c : config.clouds().entrySet()) {
            setUpBridge(prefix + c.getKey(), c.getValue());
        }
    }

    private static void setUpBridge(String bridge, Cloud cloud) throws DriverException {
        if (Host.attempt("ip", "link", "show", bridge) != null) {
            Host.run("ip", "link", "add", bridge, "type", "bridge");
        }
        String failed = Host.attempt("ip", "addr", "add", cloud.gateway() + "/24", "dev", bridge);
        if (failed != null && !failed.contains("File exists") && !failed.contains("already assigned")) {
            throw new DriverException("ip addr add " + cloud.gateway() + "/24 dev " + bridge + ": " + failed.strip());
        }
        Host.run("ip", "link", "set", bridge, "up");
        if (cloud.link() != null) {
            shape(bridge, cloud.linkBitsPerSecond());
        }
    }

    /**
     * The link into the cloud: a token bucket (tc tbf) on the bridge, which shapes what the host
     * sends into the cloud (artifacts to its store, calls to its instances). The bucket holds
     * 10 ms of the rate, and at least 64 KiB so that a GSO packet passes.
     */
    private static void shape(String bridge, long bitsPerSecond) throws DriverException {
        long burst = Math.max(bitsPerSecond / 8 / 100, MIN_BURST_BYTES);
        Host.run("tc", "qdisc", "replace", "dev", bridge, "root", "tbf", "rate", Long.toString(bitsPerSecond) + "bit",
                "burst", Long.toString(burst), "latency", "100ms");
    }

    /** The source's state: a copy of its directory (what it keeps on disk), taken while it runs. */
    private Path snapshot(Running from, int n) throws DriverException {
        Path snap = workDir.resolve("snapshots").resolve(from.instance().name() + "-for-" + n);
        try {
            Files.createDirectories(snap);
            copyTree(from.dir(), snap);
            return snap;
        } catch (IOException | UncheckedIOException e) {
            throw new DriverException("snapshot " + from.instance().name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The type's artifact into the cloud's image store, straight from where it is, unless already
     * there: over the link into the cloud when it has one (so the transfer takes the link's time),
     * else a local copy.
     */
    private Path transfer(String type, String cloud) throws DriverException {
        String artifact = config.type(type).template().artifact();
        if (artifact == null) {
            return null;
        }
        Path source = Path.of(artifact);
        Path target = workDir.resolve("clouds").resolve(cloud).resolve("images").resolve(source.getFileName());
        try {
            if (Files.exists(target) && Files.size(target) == Files.size(source)) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Cloud c = config.clouds().get(cloud);
            if (c.link() == null) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                store(cloud, c, target.getParent());
                ImageStore.send(c.store(), source, STORE_START);
            }
            return target;
        } catch (IOException e) {
            throw new DriverException("transfer " + artifact + " to " + cloud + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DriverException("transfer " + artifact + " to " + cloud + ": interrupted", e);
        }
    }

    /**
     * Starts the cloud's image store once: a JVM running {@link ImageStore} in a namespace of its
     * own ({@code PREFIXst-<cloud>}) with the cloud's .254 on its bridge, behind the link.
     */
    private void store(String name, Cloud cloud, Path dir) throws DriverException {
        if (stores.containsKey(name)) {
            return;
        }
        bridge(name, cloud);
        int index = List.copyOf(config.clouds().keySet()).indexOf(name);
        String netns = prefix + "st-" + name;
        String veth = prefix + "s" + index;
        String peer = prefix + "t" + index;
        Host.run("ip", "netns", "add", netns);
        Host.run("ip", "link", "add", veth, "type", "veth", "peer", "name", peer);
        Host.run("ip", "link", "set", peer, "netns", netns);
        Host.run("ip", "-n", netns, "link", "set", peer, "name", "eth0");
        Host.run("ip", "-n", netns, "addr", "add", cloud.store() + "/24", "dev", "eth0");
        Host.run("ip", "-n", netns, "link", "set", "eth0", "up");
        Host.run("ip", "-n", netns, "link", "set", "lo", "up");
        Host.run("ip", "link", "set", veth, "master", prefix + name, "up");
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = String.join(File.pathSeparator, Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).toList());
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", netns, java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx32m",
                    "-cp", classPath, ImageStore.class.getName(), cloud.store(), dir.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolveSibling("store.log").toFile()).start();
            stores.put(name, p);
        } catch (IOException e) {
            removeNamespace(netns);
            throw new DriverException("image store of " + name + ": " + e.getMessage(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else if (!f.getFileName().toString().equals("out.log")) {
                    Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Marks the instance draining on the machine (its veth's alias), where a restarted scaler finds it: see {@link #adopt}. */
    @Override
    public synchronized void drain(Instance instance) throws DriverException {
        Running r = running.get(instance.name());
        if (r == null) {
            throw new DriverException("no running instance " + instance.name() + " to drain");
        }
        Host.run("ip", "link", "set", "dev", r.veth(), "alias", DRAINING_MARK);
        lifecycle.move(instance, Lifecycle.DRAINING, null);
    }

    @Override
    public synchronized void stop(Instance instance, String why) throws DriverException {
        Running r = running.remove(instance.name());
        if (r == null) {
            throw new DriverException("no running instance " + instance.name() + " to stop");
        }
        release(r);
        lifecycle.move(instance, Lifecycle.STOPPED, why);
    }

    private void release(Running r) {
        if (r.process() != null) {
            r.process().destroy();
            try {
                r.process().onExit().get(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                r.process().destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeNamespace(r.netns());
        removeCgroup(r.cgroup());
    }

    private static void removeNamespace(String netns) {
        for (String pid : Host.output("ip", "netns", "pids", netns).split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Host.attempt("ip", "netns", "del", netns);
    }

    private static void removeCgroup(Path cgroup) {
        try {
            if (Files.isDirectory(cgroup)) {
                for (String pid : Files.readString(cgroup.resolve("cgroup.procs")).split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Files.deleteIfExists(cgroup);
            }
        } catch (IOException e) {
            LOG.warn("scale: could not remove cgroup {}: {}", cgroup, e.getMessage());
        }
    }

    @Override
    public synchronized List<Instance> list() {
        return running.values().stream().map(Running::instance).toList();
    }

    /**
     * Takes what a previous run with this prefix left on the machine, which is the truth about what
     * runs (the broker's events would still call serving an instance whose process died since): each
     * namespace {@code PREFIX<type>-<n>} of a declared type whose cgroup still holds a live process
     * is adopted, with the address its {@code eth0} has, in the cloud whose subnet that address is
     * in, draining when its veth carries the drain mark. A namespace without a live process (left
     * half-started, or its process died) is removed and reported; so are the clouds' image stores
     * (started again on demand) and whatever else with the prefix no adopted instance holds.
     */
    @Override
    public synchronized List<Instance> adopt() {
        List<Instance> adopted = new ArrayList<>();
        Set<String> kept = new HashSet<>();
        // in the order they were numbered (type-9 before type-10), as they were started
        for (String ns : namespaces(prefix).stream().sorted(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .toList()) {
            Instance i = adopt(ns, kept);
            if (i != null) {
                adopted.add(i);
            }
        }
        running.values().forEach(r -> kept.addAll(List.of(r.netns(), r.veth(), r.cgroup().getFileName().toString())));
        sweep(prefix, kept, false);
        return adopted;
    }

    /** The instance in namespace {@code ns}, or null; one of a type no longer declared is left alone, in {@code kept}. */
    private Instance adopt(String ns, Set<String> kept) {
        String name = ns.substring(prefix.length());
        String type = Adoption.type(name);
        int n = Adoption.number(config, type, name);
        if (n < 0) {
            if (type != null) {
                LOG.warn("scale: {} runs an instance of {}, a type no longer declared: left alone", ns, type);
                kept.addAll(List.of(ns, prefix + "v" + name.substring(type.length() + 1)));
            }
            return null;
        }
        next = Math.max(next, n + 1);
        Matcher inet = INET.matcher(Host.output("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"));
        String address = inet.find() ? inet.group(1) : "";
        int port = config.type(type).template().port();
        for (Map.Entry<String, Cloud> c : config.clouds().entrySet()) {
            for (int host = 1; host <= c.getValue().capacity(); host++) {
                if (c.getValue().address(host).equals(address)) {
                    return adopt(new Instance(name, type, c.getKey(), address, port), host, n);
                }
            }
        }
        Adoption.removed(lifecycle, new Instance(name, type, "", address, port), "found with no address in any cloud", "removed");
        return null;
    }

    private Instance adopt(Instance i, int host, int n) {
        Running found = running(i, host, n, null);
        ProcessHandle process = processes(found.cgroup()).filter(ProcessHandle::isAlive).findFirst().orElse(null);
        if (process == null) {
            Adoption.removed(lifecycle, i, "found without its process", "removed");
            return null;
        }
        try {
            Files.createDirectories(found.dir());
        } catch (IOException e) {
            LOG.warn("scale: {} has no directory to clone from: {}", i.name(), e.getMessage());
        }
        running.put(i.name(), running(i, host, n, process));
        bridges.add(i.cloud());
        Adoption.adopted(lifecycle, i, Host.output("ip", "-o", "link", "show", "dev", found.veth()).contains("alias " + DRAINING_MARK));
        return i;
    }

    private static Stream<ProcessHandle> processes(Path cgroup) {
        try {
            return Stream.of(Files.readString(cgroup.resolve("cgroup.procs")).split("\\s+")).filter(pid -> !pid.isBlank())
                    .map(pid -> ProcessHandle.of(Long.parseLong(pid))).flatMap(Optional::stream);
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    /**
     * Forgets the instances and leaves them running, as a crash of the scaler would: for a next
     * run to {@link #adopt} them. {@link #close} then stops nothing.
     */
    public synchronized void detach() {
        running.clear();
        stores.clear();
        bridges.clear();
    }

    /** Whether the instance's process still runs. */
    public synchronized boolean alive(Instance instance) {
        Running r = running.get(instance.name());
        return r != null && r.process() != null && r.process().isAlive();
    }

    /** The instance's cgroup, for its CPU quota and usage. */
    public Path cgroup(Instance instance) {
        return CPU_CGROUPS.resolve(prefix + instance.name());
    }

    /** The instance's network namespace. */
    public String namespace(Instance instance) {
        return prefix + instance.name();
    }

    @Override
    public synchronized void close() {
        for (Instance i : List.copyOf(list())) {
            try {
                stop(i, "driver closed");
            } catch (DriverException e) {
                LOG.warn("scale: {}", e.getMessage());
            }
        }
        stores.forEach((cloud, p) -> {
            p.destroyForcibly();
            removeNamespace(prefix + "st-" + cloud);
        });
        stores.clear();
        for (String b : bridges) {
            Host.attempt("ip", "link", "del", prefix + b);
        }
        bridges.clear();
    }

    /**
     * Removes whatever a run with this prefix left behind (a crash, a killed test): its processes,
     * namespaces, interfaces and cgroups.
     */
    public static void cleanup(String prefix) {
        cleanup(prefix, true);
    }

    /**
     * {@link #cleanup(String)}, keeping the clouds' bridges when {@code bridges} is false: an edge
     * may be bound to a gateway address on one.
     */
    public static void cleanup(String prefix, boolean bridges) {
        sweep(prefix, Set.of(), bridges);
    }

    /**
     * Removes the namespaces, cgroups and veths with the prefix that are not {@code kept}, and the
     * bridges too when {@code bridges}.
     */
    private static void sweep(String prefix, Set<String> kept, boolean bridges) {
        for (String ns : namespaces(prefix)) {
            if (!kept.contains(ns)) {
                removeNamespace(ns);
            }
        }
        // a namespace's deletion removes its veth pair: what is left with the prefix are bridges, and veths
        // a crash left before their peer moved into a namespace
        String[] links = (bridges ? Host.output("ip", "-o", "link", "show") : Host.output("ip", "-o", "link", "show", "type", "veth")).split("\n");
        for (String line : links) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (name.startsWith(prefix) && !kept.contains(name)) {
                    Host.attempt("ip", "link", "del", name);
                }
            }
        }
        try (Stream<Path> groups = Files.list(CPU_CGROUPS)) {
            groups.filter(g -> g.getFileName().toString().startsWith(prefix) && !kept.contains(g.getFileName().toString()))
                    .sorted(Comparator.reverseOrder()).forEach(ProcessDriver::removeCgroup);
        } catch (IOException e) {
            LOG.warn("scale: could not list {}: {}", CPU_CGROUPS, e.getMessage());
        }
    }

    private static List<String> namespaces(String prefix) {
        return Stream.of(Host.output("ip", "netns", "list").split("\n")).map(line -> line.strip().split("\\s+")[0])
                .filter(ns -> ns.startsWith(prefix)).toList();
    }
}
