package dev.d2r2.app.node;

import dev.d2r2.app.web.Dashboard;
import dev.d2r2.app.web.Observatory;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.chronicle.Chronicle;
import dev.d2r2.chronicle.ChronicleCompiler;
import dev.d2r2.chronicle.ChronicleRole;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.chronicle.lang.Diagnostic;
import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.diagnosis.DiagnosisRole;
import dev.d2r2.diagnosis.Profiles;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.monitor.Monitor;
import dev.d2r2.policy.Policy;
import dev.d2r2.policy.PolicyRole;
import dev.d2r2.policy.config.ActuatorConfig;
import dev.d2r2.sip.edge.BackendEvent;
import dev.d2r2.sip.server.ServerRole;
import dev.d2r2.sip.server.SipServer;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The roles of a {@link NodeConfig}, running in this process: started in dependency order
 * (broker, SIP servers, edge, monitor, chronicles, policy, dashboard) and closed in the reverse.
 * Everything is checked before anything starts: the configuration, the chronicles, the policy.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    /** What was checked before starting: the chronicles compiled and the policy parsed. */
    public record Checked(NodeConfig config, Path base, List<Chronicle> chronicles, Policy policy, Profiles profiles) {
    }

    private final Checked checked;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, RunningServer> sipServers = new LinkedHashMap<>();
    private Broker broker;
    private BrokerServer brokerServer;
    private EdgeService edge;
    private Observatory observatory;
    private Dashboard dashboard;

    private Node(Checked checked) {
        this.checked = checked;
    }

    /** Checks {@code config} (files relative to {@code base}) without starting anything. */
    public static Checked check(NodeConfig config, Path base) throws ConfigException, IOException {
        List<Chronicle> chronicles = config.chronicles() == null ? List.of()
                : compileChronicles(config.chronicles().files().stream().map(base::resolve).toList());
        Policy policy = config.policy() == null ? null : Policy.load(base.resolve(config.policy().file()));
        if (policy != null && config.lb() != null && config.lb().api() != null) {
            checkWebhooksToTheEdge(policy, config.lb().api(), config.policy().file());
        }
        Profiles profiles = config.diagnosis() == null ? null
                : ProfilesFile.load(base.resolve(config.diagnosis().profiles()), config.diagnosis().metrics());
        return new Checked(config, base, chronicles, policy, profiles);
    }

    /** A webhook of the policy that posts to this node's edge API must carry the API's token. */
    private static void checkWebhooksToTheEdge(Policy policy, ApiConfig api, String policyFile) throws ConfigException {
        InetSocketAddress edgeApi = HostPort.parse(api.listen());
        int port = edgeApi.getPort();
        for (Map.Entry<String, ActuatorConfig> a : policy.actuators().entrySet()) {
            ActuatorConfig c = a.getValue();
            URI url = "webhook".equals(c.kind()) ? URI.create(c.url()) : null;
            if (url == null || url.getPort() != port || c.tokenFile() != null || !sameHost(url.getHost(), edgeApi)) {
                continue;
            }
            throw new ConfigException(policyFile + ": actuator " + a.getKey() + " posts to the edge's API (port " + port
                    + ") without its token: give it token-file: " + (api.tokenFile() == null
                    ? "the same file as lb.api's token-file (the API takes no changes without one)" : api.tokenFile()));
        }
    }

    private static boolean sameHost(String urlHost, InetSocketAddress listen) {
        String h = urlHost.startsWith("[") ? urlHost.substring(1, urlHost.length() - 1) : urlHost;
        if (h.equalsIgnoreCase(listen.getHostString())) {
            return true;
        }
        boolean loopback = h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("::1");
        return loopback && listen.getAddress() != null && (listen.getAddress().isLoopbackAddress() || listen.getAddress().isAnyLocalAddress());
    }

    /** Compiles chronicle files; their errors, as {@code file:line:col}, in the exception. */
    public static List<Chronicle> compileChronicles(List<Path> files) throws ConfigException, IOException {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new ConfigException(f + ": no such chronicle file");
            }
        }
        try {
            return ChronicleCompiler.compileFiles(files).chronicles();
        } catch (ChronicleException e) {
            throw new ConfigException(String.join("\n", e.diagnostics().stream()
                    .filter(d -> d.severity() == Diagnostic.Severity.ERROR).map(Diagnostic::format).toList()));
        }
    }

    /** Starts the checked roles; on failure, stops what had started and throws. */
    public static Node start(Checked checked, Consumer<BackendEvent> backendChanges) throws IOException, ConfigException {
        Node n = new Node(checked);
        try {
            n.startRoles(backendChanges);
            return n;
        } catch (IOException | ConfigException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private void startRoles(Consumer<BackendEvent> backendChanges) throws IOException, ConfigException {
        NodeConfig c = checked.config();
        Path base = checked.base();
        if (c.broker() != null) {
            BrokerConfig b = c.broker();
            broker = Broker.open(base.resolve(b.data() == null ? "data" : b.data()), Clock.system());
            started.add(broker);
            try (BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
                Channels.declare(admin, b.channels());
                declareRoleChannels(admin, c, UnaryOperator.identity());
                Channels.grant(admin, RoleAccess.of(c));
            }
            brokerServer = BrokerServer.start(broker, HostPort.parse(b.listen() == null ? "127.0.0.1:7100" : b.listen()),
                    b.connectionLimits());
            started.add(brokerServer);
            if (b.metrics() != null && !b.metrics().equals("off")) {
                InetSocketAddress at = HostPort.parse(b.metrics());
                HTTPServer http = HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(broker.registry())
                        .buildAndStart();
                started.add(http::close);
            }
        }
        for (SipServerConfig s : c.sipServers()) {
            startSipServer(s);
        }
        if (c.lb() != null) {
            edge = new EdgeService(c.lb().resolvedAgainst(base),
                    checked.policy() == null ? List.of() : checked.policy().safety().allow(),
                    c.lb().telemetry() == null ? null : client(RoleAccess.EDGE), backendChanges);
            started.add(edge);
        }
        if (c.monitor() != null) {
            started.add(new Monitor(c.monitor(), client(RoleAccess.MONITOR), Clock.system(), c.name()).start());
        }
        if (c.diagnosis() != null) {
            started.add(new DiagnosisRole(client(RoleAccess.DIAGNOSIS), c.diagnosis(), checked.profiles(), Clock.system()));
        }
        if (c.chronicles() != null) {
            ChroniclesConfig ch = c.chronicles();
            started.add(new ChronicleRole(client(RoleAccess.CHRONICLES), checked.chronicles(),
                    Recognizer.Options.of(ch.lateness(), ch.horizon()), ch.inputs(), ch.alerts(),
                    Clock.system(), r -> { }));
        }
        if (c.policy() != null) {
            PolicyRoleConfig p = c.policy();
            started.add(new PolicyRole(client(RoleAccess.POLICY), checked.policy(), p.inputs(), p.actions(), base.resolve(p.audit()),
                    p.dryRun(), Clock.system()));
        }
        if (c.dashboard() != null) {
            observatory = new Observatory(client(RoleAccess.DASHBOARD), c.dashboard().channels());
            started.add(observatory);
            dashboard = new Dashboard(HostPort.parse(c.dashboard().listen()), observatory);
            started.add(dashboard);
        }
    }

    /**
     * The channels the roles use, with a class fit for each (then passed through {@code fit}: the
     * demo's replicas replicate those with a log), unless declared already; with
     * {@code broker.record}, those the loop reads keep a log for {@code d2r2 replay}. {@code c} has
     * a {@code broker} section.
     */
    public static void declareRoleChannels(BrokerClient admin, NodeConfig c, UnaryOperator<ChannelClass> fit) {
        BiConsumer<String, ChannelClass> ensure = (tag, cls) -> Channels.ensure(admin, tag, fit.apply(cls));
        boolean record = c.broker().record();
        ChannelClass telemetry = record ? Channels.RECORDED_TELEMETRY : ChannelClass.DEFAULT;
        if (c.monitor() != null) {
            ensure.accept(c.monitor().metrics(), telemetry);
            ensure.accept(c.monitor().alarms(), record ? Channels.RECORDED_ALARMS : Channels.ALARMS);
            if (c.monitor().resilience() != null) {
                ensure.accept(c.monitor().resilience().channel(), Channels.RECORD);
            }
            if (c.monitor().peers() != null) {
                ensure.accept(c.monitor().peers().channel(), ChannelClass.DEFAULT);
            }
        }
        if (c.diagnosis() != null) {
            c.diagnosis().inputs().forEach(t -> ensure.accept(t, telemetry));
            ensure.accept(c.diagnosis().channel(), Channels.ALERTS);
        }
        if (c.chronicles() != null) {
            c.chronicles().inputs().forEach(t -> ensure.accept(t, telemetry));
            ensure.accept(c.chronicles().alerts(), Channels.ALERTS);
        }
        if (c.policy() != null) {
            c.policy().inputs().forEach(t -> ensure.accept(t, Channels.ALERTS));
            ensure.accept(c.policy().actions(), Channels.RECORD);
        }
        if (c.lb() != null && c.lb().telemetry() != null) {
            ensure.accept(c.lb().telemetry(), telemetry);
            if (c.lb().commands() != null) {
                ensure.accept(c.lb().commands(), ChannelClass.DEFAULT);
            }
        }
        if (c.dashboard() != null) {
            c.dashboard().channels().forEach(t -> ensure.accept(t, ChannelClass.DEFAULT));
        }
        c.sipServers().stream().map(SipServerConfig::dialogs).filter(java.util.Objects::nonNull).distinct()
                .forEach(t -> ensure.accept(t, Channels.RECORD));
    }

    /**
     * A broker client for one role: in-process on the embedded broker, as the role's own identity
     * (registered at its first start), else over TLS to the remote one, as the node's identity.
     */
    private BrokerClient client(String role) throws IOException {
        BrokerClient client = broker != null ? broker.connectLocal(identity(role)) : newClient();
        started.add(client);
        LOG.debug("{}: connected to the broker", role);
        return client;
    }

    /**
     * A new client for a caller beside the roles (the demo's own parts), which closes it: the
     * embedded broker's administrator, or the node's identity on the broker it connects to,
     * failing over like the roles' clients.
     */
    public BrokerClient newClient() throws IOException {
        if (broker != null) {
            return broker.connectLocal(Broker.ADMIN);
        }
        RemoteBrokerConfig r = checked.config().connect();
        IdentityFile id = IdentityFile.load(checked.base().resolve(r.identity()));
        List<BrokerReplica> replicas = r.address() != null ? id.replicasAt(List.of(r.address())) : id.replicas();
        if (replicas.isEmpty()) {
            throw new IOException(r.identity() + " names no broker address: give connect.address");
        }
        return RemoteBrokerClient.connect(id, replicas, ClientSettings.DEFAULT.withLinger(Duration.ofMillis(5)));
    }

    /** The broker identity of {@code role} on this node's embedded broker. */
    public String identity(String role) {
        return RoleAccess.of(checked.config()).stream().filter(r -> r.role().equals(role)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no role " + role + " uses the broker")).identity();
    }

    private void startSipServer(SipServerConfig s) throws IOException {
        SipServer server = new SipServer(HostPort.parse(s.listen()), s.maxCps(), s.maxCalls(), s.name());
        ServerRole replication = s.dialogs() == null ? null : new ServerRole(client(RoleAccess.sipServer(s.name())), server, s.name(),
                s.dialogs());
        RunningServer old = sipServers.put(s.name(), new RunningServer(server, replication));
        if (old == null) {
            started.add(() -> sipServers.get(s.name()).close());
        }
    }

    /** A SIP server and the role sharing its calls (or null). */
    private record RunningServer(SipServer server, ServerRole replication) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            server.close();
            if (replication != null) {
                replication.close();
            }
        }
    }

    /** Stops a SIP server at once, as a crash would: its socket closes, its state is lost. */
    public void crashSipServer(String name) throws IOException {
        RunningServer s = sipServers.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no sip server " + name);
        }
        s.close();
    }

    /** Starts a SIP server again, on its configured address; it learns its peers' calls and its own past ones again. */
    public void restartSipServer(String name) throws IOException {
        startSipServer(checked.config().sipServers().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no sip server " + name)));
    }

    public Map<String, SipServer> sipServers() {
        Map<String, SipServer> servers = new LinkedHashMap<>();
        sipServers.forEach((name, running) -> servers.put(name, running.server()));
        return servers;
    }

    /** The embedded broker, or null. */
    public Broker broker() {
        return broker;
    }

    /** The embedded broker's TLS address, or null. */
    public InetSocketAddress brokerAddress() {
        return brokerServer == null ? null : brokerServer.address();
    }

    public EdgeService edge() {
        return edge;
    }

    public Observatory observatory() {
        return observatory;
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    /** One line per running role. */
    public List<String> describe() throws IOException {
        List<String> lines = new ArrayList<>();
        NodeConfig c = checked.config();
        if (brokerServer != null) {
            lines.add("broker on " + brokerServer.address().getHostString() + ":" + brokerServer.address().getPort() + " (TLS)");
        } else if (c.connect() != null) {
            lines.add("broker: connected with " + c.connect().identity());
        }
        for (SipServerConfig s : c.sipServers()) {
            lines.add("sip server " + s.name() + " on " + sipServers.get(s.name()).server().address()
                    + (s.dialogs() != null ? ", sharing its calls on " + s.dialogs() : ""));
        }
        if (edge != null) {
            lines.add(edge.describe());
        }
        if (c.monitor() != null) {
            lines.add("monitor: " + c.monitor().services().size() + " services; samples on " + c.monitor().metrics() + ", alarms on "
                    + c.monitor().alarms());
        }
        if (c.diagnosis() != null) {
            lines.add("diagnosis: " + checked.profiles().k() + " profiles of " + checked.profiles().metrics().size()
                    + " metrics from " + c.diagnosis().input() + "; indictments on " + c.diagnosis().channel());
        }
        if (c.chronicles() != null) {
            lines.add("chronicles: " + checked.chronicles().size() + " on " + String.join(", ", c.chronicles().inputs())
                    + "; alerts on " + c.chronicles().alerts());
        }
        if (c.policy() != null) {
            lines.add("policy: " + c.policy().file() + " on " + String.join(", ", c.policy().inputs()) + "; audit "
                    + c.policy().audit() + (c.policy().dryRun() ? " (dry run)" : ""));
        }
        if (dashboard != null) {
            lines.add("dashboard on http://" + dashboard.address().getHostString() + ":" + dashboard.address().getPort() + "/");
        }
        return lines;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("stopping a role failed: {}", e.toString());
            }
        }
        started.clear();
    }
}
