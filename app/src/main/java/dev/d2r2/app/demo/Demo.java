package dev.d2r2.app.demo;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.app.web.Observatory;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.sip.load.SipLoad;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * The embedded default, for real: an edge, three SIP servers, a monitoring peer, the broker (three
 * replicas, {@link BrokerReplicas}), the
 * flooding chronicles, a remediation policy and legitimate callers, in one process. The story:
 * normal operation, an INVITE flood from many sources (alarms, FloodingAttack, threat contexts,
 * the attackers blocked at the edge, the service back to normal, the contexts over; the broker's
 * leader replica killed during it and restarted, {@link BrokerFailover}), then a SIP
 * server crashes (found by the edge's probes, out of rotation, restarted, back in), then one gets
 * a CPU hog ({@link SickServer}: indicted by the diagnosis, drained, cured, back), then the load
 * ramps 5× ({@link Overload}: a clone scaled out, then drained and stopped), then the host of
 * one is about to fail ({@link AtRiskHost}: the server moved live to a spare, the edge following)
 * while callers keep calling.
 */
public final class Demo {
    /** The story's knobs: how long, and the traffic. */
    public record Options(Duration duration, double callRate, Duration callLength, double floodRate, int floodSources) {
        public Options {
            if (duration.compareTo(Duration.ofSeconds(30)) < 0) {
                throw new IllegalArgumentException("the demo needs at least 30s to tell its story");
            }
        }

        public static Options of(Duration duration) {
            return new Options(duration, 10, Duration.ofSeconds(3), 2000, 40);
        }
    }

    static final String[] FILES = {"node.yaml", "flooding.chr", "policy.yaml", "edge-drain.sh", AtRiskHost.CLASSIFIER, Overload.CONFIG};
    /** How long the host-at-risk phase's callers call; they start before the warning, so calls are up on the server that moves. */
    private static final Duration AT_RISK_CALLING = Duration.ofSeconds(3);
    private static final String CRASHED = "s2";
    /** How long the overload phase's callers call at the ramped rate, then at the normal one (the clone's drain). */
    private static final Duration OVERLOAD_RAMP = Duration.ofSeconds(4);
    private static final Duration OVERLOAD_CALM = Duration.ofSeconds(3);

    private final Options options;
    private final Path dir;
    private final PrintStream out;
    private final boolean record;
    private final Phases phases = new Phases();
    private final Milestones milestones = new Milestones();
    private final LegitCalls legit = new LegitCalls();
    private final SickServer sick;
    private AtRiskHost atRisk;
    private Overload overload;
    /** The broker's incident, on the replicas; null on the lone broker. */
    private volatile BrokerFailover failover;
    /** The node while the story runs; then the final report. */
    private volatile Node running;
    private volatile Report finished;

    /** {@code record}: the broker keeps a log of the loop's channels, for {@code d2r2 replay}. */
    public Demo(Options options, Path dir, PrintStream out, boolean record) {
        this.options = options;
        this.dir = dir;
        this.out = out;
        this.record = record;
        this.sick = new SickServer(dir);
    }

    /** Writes the demo's configuration into the directory, with free ports; returns the node's file. */
    Path writeConfiguration() throws IOException, ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : new String[]{"broker", "api", "metrics", "dashboard", "s2-api", "spare-transfer", "s2-disk", "scaler-api"}) {
            values.put(name, Integer.toString(freeTcpPort()));
        }
        for (String name : new String[]{"edge", "s1", "s2", "s3", "s2-arrival"}) {
            values.put(name, Integer.toString(freeUdpAndTcpPort()));
        }
        values.put("record", Boolean.toString(record));
        values.put("dir", dir.toAbsolutePath().toString());
        for (String f : FILES) {
            String text;
            try (InputStream in = Demo.class.getResourceAsStream("/dev/d2r2/app/demo/" + f)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (Map.Entry<String, String> p : values.entrySet()) {
                text = text.replace("${" + p.getKey() + "}", p.getValue());
            }
            Files.writeString(dir.resolve(f), text);
        }
        atRisk = new AtRiskHost(dir, new AtRiskHost.Ports(Integer.parseInt(values.get("s2-api")),
                Integer.parseInt(values.get("spare-transfer")), Integer.parseInt(values.get("s2-arrival")), Integer.parseInt(values.get("s2-disk"))));
        atRisk.prepare();
        overload = new Overload(dir, Integer.parseInt(values.get("scaler-api")));
        overload.prepare();
        return dir.resolve("node.yaml");
    }

    /**
     * Runs the story; the report is also at {@link #report()} while it runs. The broker runs as
     * three replicas ({@link BrokerReplicas}) unless the demo records: a recording is replayed
     * from one broker's data directory, and a replica's channel table lives in its Raft log.
     */
    public Report run(java.util.function.Consumer<Node> started) throws Exception {
        Path file = writeConfiguration();
        NodeConfig config = ConfigLoader.load(file, NodeConfig.class);
        try (BrokerReplicas replicas = record ? null : BrokerReplicas.start(dir, config.broker())) {
            return run(replicas == null ? config : replicas.bootstrap(dir, config, Map.of(Witness.CHANNEL, Witness.CLASS)),
                    replicas, started);
        }
    }

    private Report run(NodeConfig config, BrokerReplicas replicas, java.util.function.Consumer<Node> started) throws Exception {
        Node.Checked checked = Node.check(config, dir);
        try (Node node = Node.start(checked, e -> { })) {
            // the story's clock starts once the node runs: a slow start must not eat its normal phase
            long t0 = System.currentTimeMillis();
            Observatory observatory = node.observatory();
            node.dashboard().story(phases::snapshot);
            running = node;
            node.dashboard().report(this::report);
            if (replicas != null) {
                failover = new BrokerFailover(replicas, node.newClient(), observatory);
                node.dashboard().replicas(failover::view);
            }
            Timeline timeline = new Timeline(observatory, out, t0);
            List<Subscription> subscriptions = new ArrayList<>();
            try (BrokerClient client = node.newClient()) {
                for (String tag : List.of("alerts", "actions", "edge")) {
                    subscriptions.add(client.subscribe(tag, StartPosition.live(), milestones::take));
                }
                for (String tag : List.of(SickServer.SAMPLES, SickServer.DIAGNOSIS, "edge")) {
                    subscriptions.add(client.subscribe(tag, StartPosition.live(), sick::take));
                }
                for (String tag : List.of(AtRiskHost.MIGRATION, "edge")) {
                    subscriptions.add(client.subscribe(tag, StartPosition.live(), atRisk::take));
                }
                subscriptions.add(client.subscribe(Overload.SCALE, StartPosition.live(), overload::take));
                started.accept(node);
                out.println(String.join("\n", node.describe()));
                if (replicas != null) {
                    out.println(String.join("\n", replicas.describe()));
                }
                InetSocketAddress edge = node.edge().edge().address();
                CompletableFuture<SipLoad.Report> calls = load("d2r2-demo-callers", new SipLoad.Plan(edge,
                        options.callRate(), options.callLength(), 20, 0, 1, "INVITE",
                        options.duration().minus(options.callLength()).minusSeconds(1)), legit);
                story(node, observatory, edge, timeline, t0);
                SipLoad.Report legitReport = calls.join();
                phases.end(System.currentTimeMillis());
                if (failover != null) {
                    failover.countLost();
                }
                timeline.flush();
                finished = report(node, legitReport, true);
                return finished;
            } finally {
                subscriptions.forEach(Subscription::close);
                sick.close();
                atRisk.close();
                overload.close();
                if (failover != null) {
                    failover.close();
                }
            }
        }
    }

    private void story(Node node, Observatory observatory, InetSocketAddress edge, Timeline timeline, long t0) throws Exception {
        long total = options.duration().toMillis();
        begin(observatory, "normal", "legitimate callers place " + (int) options.callRate() + " calls/s through the edge");
        timeline.until(t0 + total * 15 / 100);

        long floodFor = total * 25 / 100;
        long floodStart = System.currentTimeMillis();
        milestones.floodStarts(floodStart);
        legit.floodStarts(floodStart);
        begin(observatory, "flood", "INVITE flood: " + (int) options.floodRate() + "/s from " + options.floodSources() + " sources");
        CompletableFuture<SipLoad.Report> flood = load("d2r2-demo-flood", new SipLoad.Plan(edge, 0, Duration.ZERO, 0,
                options.floodRate(), options.floodSources(), "INVITE", Duration.ofMillis(floodFor)), null);
        if (failover != null) {
            timeline.until(floodStart + floodFor * 2 / 5);
            failover.killLeader();
            timeline.until(floodStart + floodFor * 3 / 4);
            failover.restart();
        }
        timeline.until(floodStart + floodFor);
        flood.join();
        long floodEnd = System.currentTimeMillis();
        legit.floodEnds(floodEnd);
        begin(observatory, "recovering", "flood over: waiting for the threat contexts to end");
        timeline.until(() -> milestones.activeContexts() == 0 && milestones.contextsActivated() > 0, floodEnd + total * 15 / 100);
        begin(observatory, "nominal", milestones.activeContexts() == 0
                ? "threat contexts over: nominal policy, attackers unblocked" : "threat contexts still active");

        timeline.until(t0 + total * 50 / 100);
        String crashedId = backendId(node, CRASHED);
        long crash = System.currentTimeMillis();
        milestones.crash(crashedId, crash);
        begin(observatory, "crash", "SIP server " + CRASHED + " (" + crashedId + ") crashes");
        sick.stopLearning();
        node.crashSipServer(CRASHED);
        timeline.until(crash + total * 12 / 100);
        begin(observatory, "restart", "SIP server " + CRASHED + " restarted");
        node.restartSipServer(CRASHED);
        timeline.until(milestones::backInRotation, crash + total * 30 / 100);
        begin(observatory, "steady", milestones.backInRotation() ? CRASHED + " back in rotation" : CRASHED + " not back yet");
        sick.play(node, backendId(node, SickServer.CULPRIT), timeline, (name, what) -> begin(observatory, name, what));
        sick.close();
        overload(node, observatory, edge, timeline);
        hostAtRisk(node, observatory, edge, timeline);
        timeline.until(t0 + total);
    }

    /**
     * Callers of its own at {@value Overload#RAMP}× the rate for a while, then at the rate while the
     * clone is drained (so calls are up on it); the scaler runs for this phase only.
     */
    private void overload(Node node, Observatory observatory, InetSocketAddress edge, Timeline timeline) throws Exception {
        BiConsumer<String, String> begin = (name, what) -> begin(observatory, name, what);
        overload.startScaler(node, Overload.ADOPTED);
        long start = System.currentTimeMillis();
        begin.accept("overload", "callers ramp to " + Overload.RAMP + "× the rate: the scaler's load turns overload, the policy"
                + " orders a scale-out, a clone of " + Overload.ADOPTED + " joins the edge");
        CompletableFuture<SipLoad.Report> ramp = load("d2r2-demo-callers-ramp", new SipLoad.Plan(edge, Overload.RAMP * options.callRate(),
                options.callLength(), 20, 0, 1, "INVITE", OVERLOAD_RAMP), legit);
        overload.awaitClone(timeline, begin);
        timeline.until(start + OVERLOAD_RAMP.toMillis());
        begin.accept("scale-in", "the rate drops back: the load turns underload, the policy orders a scale-in, the clone is drained");
        CompletableFuture<SipLoad.Report> calm = load("d2r2-demo-callers-calm", new SipLoad.Plan(edge, options.callRate(),
                options.callLength(), 20, 0, 1, "INVITE", OVERLOAD_CALM), legit);
        overload.awaitScaleIn(timeline, begin);
        ramp.join();
        calm.join();
        overload.close();
    }

    /** Callers of its own, as the story's may be done by now: calls are up on the server when its host is warned. */
    private void hostAtRisk(Node node, Observatory observatory, InetSocketAddress edge, Timeline timeline) throws Exception {
        long start = System.currentTimeMillis();
        CompletableFuture<SipLoad.Report> calls = load("d2r2-demo-callers-at-risk", new SipLoad.Plan(edge, options.callRate(),
                options.callLength(), 20, 0, 1, "INVITE", AT_RISK_CALLING), legit);
        atRisk.play(node, timeline, (name, what) -> begin(observatory, name, what));
        timeline.until(calls::isDone, start + AT_RISK_CALLING.toMillis() + options.callLength().toMillis() + 10_000);
        calls.join();
    }

    /**
     * The legitimate calls that failed among those up or being set up while the server moved:
     * started from a call's length (and a second of setup) before the migration began to its end.
     */
    private long droppedByMigration() {
        AtRiskHost.Move move = atRisk.move();
        return move == null ? 0 : legit.failedStartedBetween(move.from() - options.callLength().toMillis() - 1000, move.to());
    }

    /** The legitimate calls that failed among those up or being set up during the window (epoch ms); 0 without one. */
    private long failedDuring(long[] window) {
        return window == null ? 0 : legit.failedStartedBetween(window[0] - options.callLength().toMillis() - 1000, window[1]);
    }

    private void begin(Observatory observatory, String name, String what) {
        long now = System.currentTimeMillis();
        phases.begin(name, what, now);
        observatory.note(now, name + ": " + what);
    }

    private static String backendId(Node node, String server) throws IOException {
        InetSocketAddress at = node.sipServers().get(server).address();
        return node.edge().edge().backends().stream().filter(b -> b.address().getPort() == at.getPort()).findFirst()
                .orElseThrow().id();
    }

    /** Runs a load on a thread of its own (the common pool may have a single thread on a small machine). */
    private static CompletableFuture<SipLoad.Report> load(String name, SipLoad.Plan plan, SipLoad.Listener listener) {
        CompletableFuture<SipLoad.Report> done = new CompletableFuture<>();
        Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                done.complete(listener == null ? new SipLoad(plan).run() : new SipLoad(plan, listener).run());
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The report: so far while the story runs (null before it starts), then the final one. */
    public Report report() {
        Report f = finished;
        if (f != null) {
            return f;
        }
        Node n = running;
        return n == null ? null : report(n, null, false);
    }

    private Report report(Node node, SipLoad.Report legitReport, boolean done) {
        long calls = legit.calls();
        Double flood = milestones.floodRemediation();
        Double crash = milestones.crashRecovery();
        Double mttr = flood == null || crash == null ? null : (flood + crash) / 2;
        Map<String, Long> edge = node.edge().edge().counters();
        BrokerFailover f = failover;
        return new Report(milestones.floodDetection(), flood, legit.success(LegitCalls.BEFORE), legit.success(LegitCalls.DURING),
                legit.success(LegitCalls.AFTER), milestones.crashDetection(), crash, legit.dropped(),
                edge.getOrDefault("failover.in_dialog", 0L),
                calls == 0 ? null : (double) legit.succeeded() / calls, mttr, calls,
                legitReport == null ? null : legitReport.setupMicros().getValueAtPercentile(99) / 1000.0,
                edge.getOrDefault("dropped.blocked", 0L),
                milestones.contextsActivated(), sick.indicted(), sick.drained(), sick.returned(), atRisk.downtime(), droppedByMigration(),
                overload.scaleOut(), overload.scaleIn(), failedDuring(overload.scaleOutWindow()), failedDuring(overload.scaleInWindow()),
                f == null ? null : f.failoverSeconds(), f == null ? null : f.lost(), done, phases.snapshot());
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A port free for both UDP and TCP (the edge and the servers take both). */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on the loopback");
    }

    static void pause(long millis) {
        LockSupport.parkNanos(Math.max(0, millis) * 1_000_000);
    }
}
