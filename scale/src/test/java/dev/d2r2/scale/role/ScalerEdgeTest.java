package dev.d2r2.scale.role;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ReplaceRequest;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScaleRequest;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.SipProbe;
import dev.d2r2.scale.driver.ProcessDriver;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;
import dev.d2r2.sip.edge.ApiLimits;
import dev.d2r2.sip.edge.EdgeApi;
import dev.d2r2.sip.edge.EdgeProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scaler for real: a SIP edge in front of d2r2 SIP servers, each a process in its own
 * network namespace under a CPU quota; SIPp places calls through the edge while the scaler
 * clones the first server into the other cloud (its home cloud is full), admits the clone to the
 * edge once it answered OPTIONS, sees its first call, then drains it and stops it — and not one
 * call fails or is dropped.
 */
class ScalerEdgeTest {
    private static final String PREFIX = "d2r2-sc-";
    private static final String TOKEN = "scale-edge-test-token-0123456789";
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final int CALLS = 100;

    @TempDir
    Path dir;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private EdgeProxy edge;
    private EdgeApi api;
    private ScalerRole scaler;
    private ProcessDriver driver;
    private Process uac;

    private ScaleConfig config() throws Exception {
        return config("30s");
    }

    private ScaleConfig config(String drainDeadline) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return config("\"%s\", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, -Xmx64m, -cp, \"%s\", %s, \"${address}:${port}\""
                .formatted(java, System.getProperty("java.class.path"), TestSipServer.class.getName()), drainDeadline);
    }

    private static ScaleConfig config(String command, String drainDeadline) throws Exception {
        return ScaleConfig.parse("t.yaml", """
                clouds:
                  home:   { subnet: 10.97.21.0/24, capacity: 1 }
                  remote: { subnet: 10.97.22.0/24, capacity: 2 }
                types:
                  sip:
                    template:
                      command: [%s]
                      port: 5060
                      cpu: 0.5
                    cloud: home
                    min: 1
                    max: 3
                    metrics:
                      active_calls: { warning: 1000, critical: 2000, warning-for: 1s, critical-for: 1s }
                    target: { metric: active_calls, per-instance: 500 }
                    scale-down: { below: 1, for: 1h }
                    cooldown: { out: 0s, in: 0s }
                    drain-deadline: %s
                """.formatted(command, drainDeadline));
    }

    @BeforeEach
    void setUp() throws Exception {
        Peers.require(Path.of("/usr/bin/ip"), "iproute2");
        Peers.require(SIPP, "sip-tester");
        ProcessDriver.cleanup(PREFIX);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (uac != null) {
            uac.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (scaler != null) {
            scaler.close();
        }
        if (api != null) {
            api.close();
        }
        if (edge != null) {
            edge.close();
        }
        ProcessDriver.cleanup(PREFIX);
    }

    private List<InstanceChange> changesOf(String instance) {
        List<InstanceChange> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(ScaleEvents.INSTANCE.name()) && e.source().equals(instance)) {
                out.add(decode(() -> InstanceChange.from(e)));
            }
        }
        return out;
    }

    private List<PhaseTimed> phasesOf(String instance) {
        List<PhaseTimed> out = new ArrayList<>();
        for (Event e : events) {
            if (e.type().equals(ScaleEvents.PHASE.name()) && e.source().equals(instance)) {
                out.add(decode(() -> PhaseTimed.from(e)));
            }
        }
        return out;
    }

    private boolean reached(String instance, String state) {
        return changesOf(instance).stream().anyMatch(c -> c.to().equals(state));
    }

    private interface Decode<T> {
        T run() throws Exception;
    }

    private static <T> T decode(Decode<T> d) {
        try {
            return d.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private EdgeClient edge() throws Exception {
        edge = new EdgeProxy(new InetSocketAddress("10.97.21.1", 0), List.of(), e -> { });
        api = new EdgeApi(new InetSocketAddress("127.0.0.1", 0), edge, BearerToken.of(TOKEN), ApiLimits.DEFAULT);
        return new EdgeClient(URI.create("http://127.0.0.1:" + api.address().getPort()), TOKEN);
    }

    /** The scaler on the process driver behind a fresh edge, {@code patience} for drains and starts; returns the edge's API client. */
    private EdgeClient startScaler(ScaleConfig config, Duration patience) throws Exception {
        ProcessDriver.network(config, PREFIX);
        EdgeClient client = edge();
        scaler(config, client, patience);
        return client;
    }

    private void scaler(ScaleConfig config, EdgeClient client, Duration patience) {
        ScalerOptions options = new ScalerOptions(patience, patience, Duration.ofMillis(200), null);
        scaler = new ScalerRole(config, lifecycle -> driver = new ProcessDriver(config, PREFIX, dir.resolve("work"), lifecycle), client,
                options, Clock.system(), events::add);
    }

    /** What a crash of the scaler leaves: its instances running, the edge (which outlives it) as it was; then a new scaler. */
    private void crashAndRestart(ScaleConfig config, EdgeClient client) throws Exception {
        driver.detach();
        scaler.close();
        events.clear();
        scaler(config, client, Duration.ofSeconds(20));
    }

    /** sip-1 serving at home, then a scale-out's sip-2 serving in the other cloud. */
    private void twoServing() {
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving"));
        scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
        await().atMost(Duration.ofSeconds(60)).until(() -> reached("sip-2", "serving"));
    }

    private long pid(String instance) throws Exception {
        return Long.parseLong(Files.readString(driver.cgroup(driver.list().stream().filter(i -> i.name().equals(instance))
                .findFirst().orElseThrow()).resolve("cgroup.procs")).strip().split("\\s+")[0]);
    }

    /** SIPp places {@code CALLS} calls of 2 s through the edge; returns once the first is up on sip-1. */
    private void startCalls(EdgeClient client) throws Exception {
        startCalls(client, 2000);
    }

    private void startCalls(EdgeClient client, int callMillis) throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        uac = new ProcessBuilder(SIPP.toString(), "-sn", "uac", "10.97.21.1:" + edge.address().getPort(), "-i", "10.97.21.1", "-p",
                Integer.toString(port), "-r", "10", "-m", Integer.toString(CALLS), "-d", Integer.toString(callMillis), "-nostdin", "-timeout", "60s")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("uac.out").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.dialogs().getOrDefault("10.97.21.2:5060", 0L) > 0);
    }

    @Test
    void anInstanceThatNeverAnswersOptionsIsStoppedAndNeverReachesTheEdge() throws Exception {
        EdgeClient client = startScaler(config("/bin/sleep, \"60\"", "30s"), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "stopped"));
        assertThat(changesOf("sip-1")).extracting(InstanceChange::to).containsExactly("starting", "running", "failed", "stopped");
        assertThat(changesOf("sip-1").get(2).why()).isEqualTo("no answer to SIP OPTIONS within 1000 ms");
        assertThat(phasesOf("sip-1")).extracting(PhaseTimed::phase).containsExactly("register", "configure", "boot", "health");
        assertThat(phasesOf("sip-1").getLast().ok()).isFalse();
        assertThat(phasesOf("sip-1").getLast().failure()).as("the step's outcome, with its reason")
                .isEqualTo("no answer to SIP OPTIONS within 1000 ms");
        assertThat(client.dialogs()).isEmpty();
        assertThat(scaler.instances()).isEmpty();
    }

    @Test
    void callsThroughTheEdgeWhileAnInstanceIsClonedIntoAnotherCloudThenDrainedNoneFailsNorIsDropped() throws Exception {
        EdgeClient client = startScaler(config(), Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving"));
        assertThat(client.dialogs()).containsOnlyKeys("10.97.21.2:5060");

        startCalls(client);

        scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
        await().atMost(Duration.ofSeconds(30)).until(() -> phasesOf("sip-2").stream().anyMatch(p -> p.phase().equals("first-call")));
        assertThat(phasesOf("sip-2")).extracting(PhaseTimed::phase)
                .containsExactly("snapshot", "transfer", "register", "configure", "boot", "health", "edge", "first-call");
        assertThat(phasesOf("sip-2")).allMatch(PhaseTimed::ok).allMatch(p -> p.step().equals("test/scale-out"));
        assertThat(changesOf("sip-2").getFirst().cloud()).as("the home cloud is full: cloned into the other").isEqualTo("remote");
        assertThat(changesOf("sip-2").getFirst().address()).isEqualTo("10.97.22.2:5060");

        scaler.submit(new ScaleRequest(ScaleRequest.IN, "sip", "test/scale-in"));
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-2", "stopped"));
        assertThat(changesOf("sip-2")).extracting(InstanceChange::to)
                .containsExactly("starting", "running", "healthy", "serving", "draining", "drained", "stopped");
        assertThat(client.dialogs()).containsOnlyKeys("10.97.21.2:5060");

        scaler.submit(new ScaleRequest(ScaleRequest.IN, "sip", "test/never-the-last"));
        await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.type().equals(ScaleEvents.STEP.name())
                && decode(() -> ScaleStep.from(e)).step().equals("test/never-the-last")));
        ScaleStep refused = events.stream().filter(e -> e.type().equals(ScaleEvents.STEP.name())).map(e -> decode(() -> ScaleStep.from(e)))
                .filter(s -> s.step().equals("test/never-the-last")).findFirst().orElseThrow();
        assertThat(refused.after()).isEqualTo(refused.before()).isEqualTo(1);

        assertThat(uac.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("uac.out"));
        assertThat(uac.exitValue()).as("SIPp: every call succeeded\n" + out).isZero();
    }

    @Test
    void anInstanceStillCarryingCallsAtItsDrainDeadlineIsReportedAndLeftRunningNotKilled() throws Exception {
        EdgeClient client = startScaler(config("1s"), Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving"));
        startCalls(client, 60_000);
        scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/scale-out"));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.dialogs().getOrDefault("10.97.22.2:5060", 0L) > 0);

        scaler.submit(new ScaleRequest(ScaleRequest.IN, "sip", "test/scale-in"));
        await().atMost(Duration.ofSeconds(30)).until(() -> changesOf("sip-2").getLast().why() != null);
        InstanceChange reported = changesOf("sip-2").getLast();
        assertThat(reported.to()).isEqualTo("draining");
        assertThat(reported.why()).matches("drain deadline of 1 s passed with \\d+ calls: left running, not killed");
        assertThat(scaler.instances()).filteredOn(m -> m.get("name").equals("sip-2")).extracting(m -> m.get("state"))
                .containsExactly("draining");
        assertThat(SipProbe.healthy("10.97.22.2", 5060, Duration.ofSeconds(10), Duration.ofMillis(200)))
                .as("still running: it answers OPTIONS").isTrue();
        assertThat(client.dialogs().get("10.97.22.2:5060")).as("its calls go on").isPositive();
    }

    @Test
    void aReplacedInstanceLeavesOnlyOnceItsCloneServesAndNoCallFails() throws Exception {
        EdgeClient client = startScaler(config(), Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving"));
        startCalls(client);

        assertThat(scaler.serves("10.97.21.2:5060")).isTrue();
        scaler.submit(new ReplaceRequest("10.97.21.2:5060", "scaler/replace/10.97.21.2:5060"));
        await().atMost(Duration.ofSeconds(60)).until(() -> reached("sip-1", "stopped"));
        assertThat(changesOf("sip-1")).extracting(InstanceChange::to)
                .containsExactly("starting", "running", "healthy", "serving", "draining", "drained", "stopped");
        long serving = events.indexOf(events.stream().filter(e -> e.type().equals(ScaleEvents.INSTANCE.name()) && e.source().equals("sip-2")
                && decode(() -> InstanceChange.from(e)).to().equals("serving")).findFirst().orElseThrow());
        long draining = events.indexOf(events.stream().filter(e -> e.type().equals(ScaleEvents.INSTANCE.name()) && e.source().equals("sip-1")
                && decode(() -> InstanceChange.from(e)).to().equals("draining")).findFirst().orElseThrow());
        assertThat(serving).as("make before break: the clone serves before the replaced one drains").isLessThan(draining);
        assertThat(client.dialogs()).containsOnlyKeys("10.97.22.2:5060");
        assertThat(scaler.serves("10.97.21.2:5060")).isFalse();

        scaler.submit(new ReplaceRequest("10.97.21.2:5060", "test/gone"));
        assertThat(uac.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("uac.out"));
        assertThat(uac.exitValue()).as("SIPp: every call succeeded\n" + out).isZero();
        assertThat(scaler.instances()).extracting(m -> m.get("name")).containsExactly("sip-2");
    }

    @Test
    void aRestartedScalerAdoptsTheProcessesItsPredecessorStartedInsteadOfStartingDuplicates() throws Exception {
        ScaleConfig config = config();
        EdgeClient client = startScaler(config, Duration.ofSeconds(20));
        twoServing();
        long sip1 = pid("sip-1");
        long sip2 = pid("sip-2");

        crashAndRestart(config, client);
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving") && reached("sip-2", "serving"));
        assertThat(events).noneMatch(e -> e.type().equals(ScaleEvents.INSTANCE.name()) && decode(() -> InstanceChange.from(e)).to().equals("starting"));
        assertThat(changesOf("sip-1")).extracting(InstanceChange::to).containsExactly("running", "healthy", "serving");
        assertThat(changesOf("sip-2").getFirst().why()).isEqualTo("adopted after a restart of the scaler");
        assertThat(changesOf("sip-2").getFirst().cloud()).isEqualTo("remote");
        assertThat(changesOf("sip-2").getFirst().address()).isEqualTo("10.97.22.2:5060");
        assertThat(phasesOf("sip-2")).extracting(PhaseTimed::phase).containsExactly("health", "edge");
        assertThat(phasesOf("sip-2")).allMatch(p -> p.step().equals(ScalerRole.ADOPTED));
        assertThat(pid("sip-1")).as("the same process, not a new one").isEqualTo(sip1);
        assertThat(pid("sip-2")).isEqualTo(sip2);
        assertThat(scaler.instances()).extracting(m -> m.get("state")).containsExactly("serving", "serving");
        assertThat(client.dialogs()).containsOnlyKeys("10.97.21.2:5060", "10.97.22.2:5060");

        scaler.submit(new ScaleRequest(ScaleRequest.OUT, "sip", "test/after-restart"));
        await().atMost(Duration.ofSeconds(60)).until(() -> reached("sip-3", "serving"));
        assertThat(changesOf("sip-3").getFirst().address()).as("the adopted sip-2 counts: its address is taken")
                .isEqualTo("10.97.22.3:5060");
        assertThat(scaler.instances()).extracting(m -> m.get("name")).containsExactly("sip-1", "sip-2", "sip-3");
    }

    @Test
    void aDrainCutShortByACrashIsFinishedByTheNextScalerNotKilledNorForgotten() throws Exception {
        ScaleConfig config = config();
        EdgeClient client = startScaler(config, Duration.ofSeconds(20));
        twoServing();
        // the crash comes in the middle of sip-2's drain: the driver has marked it, the edge drains it
        driver.drain(driver.list().stream().filter(i -> i.name().equals("sip-2")).findFirst().orElseThrow());
        client.drain("10.97.22.2:5060");

        crashAndRestart(config, client);
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-2", "stopped"));
        assertThat(changesOf("sip-2")).extracting(InstanceChange::to).containsExactly("draining", "draining", "drained", "stopped");
        assertThat(changesOf("sip-2").getFirst().why()).isEqualTo("adopted after a restart of the scaler");
        assertThat(changesOf("sip-2").getLast().why()).isEqualTo("drain resumed after a restart");
        await().atMost(Duration.ofSeconds(30)).until(() -> reached("sip-1", "serving"));
        assertThat(events).noneMatch(e -> e.type().equals(ScaleEvents.INSTANCE.name()) && decode(() -> InstanceChange.from(e)).to().equals("starting"));
        assertThat(client.dialogs()).containsOnlyKeys("10.97.21.2:5060");
        assertThat(scaler.instances()).extracting(m -> m.get("name")).containsExactly("sip-1");
        assertThat(SipProbe.healthy("10.97.22.2", 5060, Duration.ofSeconds(1), Duration.ofMillis(200))).as("stopped").isFalse();
    }
}
