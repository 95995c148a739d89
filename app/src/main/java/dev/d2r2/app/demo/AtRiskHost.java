package dev.d2r2.app.demo;

import dev.d2r2.app.node.Node;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.migrate.classify.ClassifierConfig;
import dev.d2r2.migrate.classify.ClassifierRole;
import dev.d2r2.migrate.events.MigrateEvents;
import dev.d2r2.migrate.events.MigrationOutcome;
import dev.d2r2.migrate.live.Migration;
import dev.d2r2.migrate.live.MigrationHost;
import dev.d2r2.migrate.live.MigrationReport;
import dev.d2r2.sip.events.SipEvents;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The demo's host-at-risk phase, through the loop: the disk of s2's host starts reallocating
 * sectors ({@link DiskHealth}, scraped by the monitor), the monitor's threshold raises a warning on
 * it, the failure classifier names a
 * predicted host crash ({@code migration.host.at-risk}), the demo's policy orders {@code migrate-live}
 * through the {@code migrate} webhook of s2's migration host, which moves the server live to the
 * spare host, where it arrives at another port; the spare's {@code sip.edge.command move}, on the
 * edge's command channel, moves the backend. The hosts and the classifier run in the demo's
 * process, as the node has no role for them.
 */
final class AtRiskHost implements AutoCloseable {
    static final String HOST = "s2";
    /**
     * The classifier's verdicts and the migration hosts' events: an input of the policy (a replay
     * reads it as recorded, where it recomputes the chronicles' alerts) and the edge's command channel.
     */
    static final String MIGRATION = "migration";
    static final String ALARMS = "alarms";
    static final String TOKEN = "migrate-api.token";
    static final String CLASSIFIER = "classify.yaml";
    private static final long WARNED = 24;
    /** How long calls are placed before the warning, so some are up on the server when it moves. */
    private static final long CALLS_UP_MS = 1_500;
    /** Each step waits at most this long for the loop. */
    private static final long STEP_MS = 8_000;

    /**
     * Where the hosts listen: s2's host API (the policy's webhook), the spare's transfer port, where
     * s2 arrives; and where its disk's SMART data are served.
     */
    record Ports(int api, int spareTransfer, int arrival, int disk) {
    }

    /** When the live migration began and ended (epoch ms). */
    record Move(long from, long to) {
    }

    private final Path dir;
    private final Ports ports;
    private final List<AutoCloseable> running = new ArrayList<>();
    private volatile long warned = Long.MAX_VALUE;
    private volatile long moved;
    private volatile MigrationOutcome outcome;
    private DiskHealth disk;

    AtRiskHost(Path dir, Ports ports) {
        this.dir = dir;
        this.ports = ports;
    }

    /** Before the node starts: the token its policy's webhook sends, and a healthy disk for the monitor to scrape. */
    void prepare() throws IOException {
        BearerToken.loadOrCreate(dir.resolve(TOKEN));
        disk = new DiskHealth(ports.disk());
        running.add(disk);
    }

    /** The migration's outcome (what its source host reports) and the edge moving the backend. */
    void take(Delivery d) {
        try {
            Event e = d.event();
            if (MigrateEvents.MIGRATION_OUTCOME.matches(e.type()) && outcome == null) {
                outcome = MigrationOutcome.from(e);
            } else if (SipEvents.EDGE_BACKEND.matches(e.type()) && "moved".equals(e.to())
                    && System.currentTimeMillis() >= warned && moved == 0) {
                moved = System.currentTimeMillis();
            }
        } catch (EventFormatException e) {
            // the observatory counts and logs malformed events
        }
    }

    /** The phase: the hosts and the classifier started, the disk's warning, the move, the edge following. */
    void play(Node node, Timeline timeline, BiConsumer<String, String> begin) throws IOException, ConfigException {
        startHosts(node);
        List<AutoCloseable> classifier = startClassifier(node);
        begin.accept("at-risk", "callers keep calling; the disk of " + HOST + "'s host starts reallocating sectors: the monitor"
                + " warns, the classifier predicts a host crash, the policy orders a live migration to 127.0.0.1:" + ports.arrival());
        timeline.until(System.currentTimeMillis() + CALLS_UP_MS);
        warned = System.currentTimeMillis();
        disk.reallocated(WARNED);
        timeline.until(() -> moved != 0, warned + STEP_MS);
        // the host at risk runs no server any more: what the monitor's probes of its old address say is no news of it
        running.removeAll(classifier);
        classifier.reversed().forEach(AtRiskHost::close);
        MigrationOutcome o = outcome;
        begin.accept("migrated", moved != 0 && o != null
                ? HOST + " serves at 127.0.0.1:" + ports.arrival() + ", the edge moved its backend; downtime " + o.report().downtimeMs() + " ms"
                : HOST + " not moved" + (o == null ? "" : ": " + o.report().outcome() + " " + o.report().reason()));
    }

    private void startHosts(Node node) throws IOException {
        BearerToken token = BearerToken.load(dir.resolve(TOKEN));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Publisher outcomes = publisher(node);
        Publisher arrivals = publisher(node);
        MigrationHost spare = new MigrationHost("spare", null, null, "127.0.0.1:" + ports.arrival(), key,
                new InetSocketAddress(loopback, ports.spareTransfer()), new InetSocketAddress(loopback, 0), token,
                Migration.Settings.DEFAULT, Clock.system(), o -> { }).events(arrivals::publish);
        running.add(spare);
        spare.start();
        MigrationHost source = new MigrationHost(HOST, node.sipServers().get(HOST), null, null, key,
                new InetSocketAddress(loopback, 0), new InetSocketAddress(loopback, ports.api()), token,
                Migration.Settings.DEFAULT, Clock.system(), o -> outcomes.publish(o.toEvent()));
        running.add(source);
        source.start();
    }

    /** The classifier of s2's host as an agent: the monitor's samples and alarms in, its verdicts out to the policy. */
    private List<AutoCloseable> startClassifier(Node node) throws ConfigException, IOException {
        List<AutoCloseable> parts = new ArrayList<>();
        BrokerClient client = node.newClient();
        parts.add(client);
        Publisher verdicts = client.publisher(MIGRATION);
        AgentRunner runner = new AgentRunner(new ClassifierRole(ClassifierConfig.load(dir.resolve(CLASSIFIER)),
                atRisk -> verdicts.publish(atRisk.toEvent())), 1024, Clock.system());
        parts.add(runner);
        runner.start();
        for (String tag : List.of(SickServer.SAMPLES, ALARMS)) {
            Subscription s = client.subscribe(tag, StartPosition.live(), d -> {
                try {
                    runner.deliver(d.event());
                } catch (EventFormatException e) {
                    // the observatory counts and logs malformed events
                }
            });
            parts.add(s::close);
        }
        running.addAll(parts);
        return parts;
    }

    private Publisher publisher(Node node) throws IOException {
        return client(node).publisher(MIGRATION);
    }

    private BrokerClient client(Node node) throws IOException {
        BrokerClient c = node.newClient();
        running.add(c);
        return c;
    }

    /** When the migration ran, as its outcome tells; null before it moved. */
    Move move() {
        MigrationOutcome o = outcome;
        if (o == null || !o.report().moved()) {
            return null;
        }
        MigrationReport r = o.report();
        return new Move(o.time() - r.precopyMs() - r.stopCopyMs() - r.redirectMs(), o.time());
    }

    /** What the migration reports as its downtime (stop-and-copy and redirect), in seconds; null before it moved. */
    Double downtime() {
        MigrationOutcome o = outcome;
        return o == null || !o.report().moved() ? null : o.report().downtimeMs() / 1000.0;
    }

    @Override
    public void close() {
        running.reversed().forEach(AtRiskHost::close);
        running.clear();
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("demo: closing " + c + " failed: " + e);
        }
    }
}
