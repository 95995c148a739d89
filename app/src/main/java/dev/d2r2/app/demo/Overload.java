package dev.d2r2.app.demo;

import dev.d2r2.app.node.Node;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.scale.EdgeClient;
import dev.d2r2.scale.ScaleConfig;
import dev.d2r2.scale.ScalerApi;
import dev.d2r2.scale.ScalerOptions;
import dev.d2r2.scale.ScalerRole;
import dev.d2r2.scale.driver.Instance;
import dev.d2r2.scale.driver.Lifecycle;
import dev.d2r2.scale.driver.Phases;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.PhaseTimed;
import dev.d2r2.scale.events.ScaleEvents;
import dev.d2r2.scale.events.ScaleStep;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The demo's overload phase, through the loop: the callers' rate ramps 5×, the scaler reads the
 * edge's new-call rate, its load turns {@code overload} ({@code scale.load}), the policy's
 * obligation orders {@code scale-out} through the scaler's API, the scaler starts a clone
 * ({@link LoopbackDriver}), checks it with SIP OPTIONS and adds it to the edge, where it serves
 * calls; then the rate drops, the load turns {@code underload}, and the policy's {@code scale-in}
 * has the clone drained at the edge and stopped once its calls are over. The scaler runs for the
 * phase only: the flood's INVITE rate is no load to scale for.
 */
final class Overload implements AutoCloseable {
    static final String SCALE = "scale";
    static final String CONFIG = "scale.yaml";
    static final String TOKEN = "scaler-api.token";
    static final String TYPE = "sip";
    static final int RAMP = 5;
    /** The node's server the scaler adopts as its pool's first instance. */
    static final String ADOPTED = "s3";
    private static final String EDGE_TOKEN = "edge-api.token";
    /** Each step waits at most this long for the loop. */
    private static final long STEP_MS = 10_000;

    private final Path dir;
    private final int apiPort;
    private volatile long outDecided;
    private volatile long firstCall;
    private volatile long inDecided;
    private volatile long stopped;
    private volatile String clone;
    /** Every clone that served a call: the scale-in is over once each has stopped (a 5× ramp may bring several). */
    private final Set<String> clones = ConcurrentHashMap.newKeySet();
    private final Set<String> stoppedClones = ConcurrentHashMap.newKeySet();
    private ScaleConfig config;
    private ScalerRole role;
    private ScalerApi api;
    private BrokerClient client;

    Overload(Path dir, int apiPort) {
        this.dir = dir;
        this.apiPort = apiPort;
    }

    /** Before the node starts: the instance type, checked, and the token the policy's webhook sends. */
    void prepare() throws IOException, ConfigException {
        config = ScaleConfig.load(dir.resolve(CONFIG));
        BearerToken.loadOrCreate(dir.resolve(TOKEN));
    }

    /** The scaler's steps, the clone's first call and its stop. */
    void take(Delivery d) {
        try {
            Event e = d.event();
            if (ScaleEvents.STEP.matches(e.type())) {
                ScaleStep s = ScaleStep.from(e);
                if ("out".equals(s.direction()) && s.after() > s.before() && outDecided == 0) {
                    outDecided = s.time();
                } else if ("in".equals(s.direction()) && s.after() < s.before() && firstCall != 0 && inDecided == 0) {
                    inDecided = s.time();
                }
            } else if (ScaleEvents.PHASE.matches(e.type())) {
                PhaseTimed p = PhaseTimed.from(e);
                if (Phases.FIRST_CALL.equals(p.phase()) && p.ok()) {
                    clones.add(p.instance());
                    if (firstCall == 0) {
                        clone = p.instance();
                        firstCall = p.time();
                    }
                }
            } else if (ScaleEvents.INSTANCE.matches(e.type())) {
                InstanceChange c = InstanceChange.from(e);
                if (Lifecycle.STOPPED.equals(c.to()) && clones.contains(c.instance()) && inDecided != 0) {
                    stoppedClones.add(c.instance());
                    if (stoppedClones.containsAll(clones)) {
                        stopped = c.time();
                    }
                }
            }
        } catch (EventFormatException e) {
            // the observatory counts and logs malformed events
        }
    }

    /** Starts the scaler, its pool the node's {@code server} it adopts. */
    void startScaler(Node node, String server) throws IOException {
        InetSocketAddress at = node.sipServers().get(server).address();
        Instance adopted = new Instance(server, TYPE, config.type(TYPE).cloud(), "127.0.0.1", at.getPort());
        InetSocketAddress edgeApi = node.edge().api();
        EdgeClient edge = new EdgeClient(URI.create("http://127.0.0.1:" + edgeApi.getPort()),
                BearerToken.read(dir.resolve(EDGE_TOKEN)));
        ScalerOptions options = new ScalerOptions(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(250),
                URI.create("http://127.0.0.1:" + node.edge().metricsPort() + "/metrics"));
        client = node.newClient();
        Publisher events = client.publisher(SCALE);
        role = new ScalerRole(config, lifecycle -> new LoopbackDriver(lifecycle, adopted), edge, options, Clock.system(),
                events::publish);
        api = new ScalerApi(new InetSocketAddress("127.0.0.1", apiPort), BearerToken.loadOrCreate(dir.resolve(TOKEN)), role);
    }

    /** The ramp: until the clone served its first call (or the step's deadline). */
    void awaitClone(Timeline timeline, BiConsumer<String, String> begin) {
        timeline.until(() -> firstCall != 0, System.currentTimeMillis() + STEP_MS);
        begin.accept("scaled-out", firstCall != 0
                ? "clone " + clone + " serves calls, " + seconds(outDecided, firstCall) + " after the scale-out decision"
                : "no clone serving yet");
    }

    /** The drop: until the clone is drained and stopped (or the step's deadline). */
    void awaitScaleIn(Timeline timeline, BiConsumer<String, String> begin) {
        timeline.until(() -> stopped != 0, System.currentTimeMillis() + STEP_MS);
        begin.accept("scaled-in", stopped != 0 ? "clones " + String.join(", ", new TreeSet<>(clones)) + " drained and stopped"
                : "clones not all stopped yet");
    }

    /** Decision → first call served on the clone, in seconds; null before. */
    Double scaleOut() {
        return outDecided == 0 || firstCall == 0 ? null : (firstCall - outDecided) / 1000.0;
    }

    /** Scale-in decision → the last clone stopped, in seconds; null before. */
    Double scaleIn() {
        return inDecided == 0 || stopped == 0 ? null : (stopped - inDecided) / 1000.0;
    }

    /** The window of the scale-out (epoch ms), from its decision to the clone's first call; null before. */
    long[] scaleOutWindow() {
        return outDecided == 0 ? null : new long[]{outDecided, firstCall == 0 ? System.currentTimeMillis() : firstCall};
    }

    /** The window of the scale-in, from its decision to the clone's stop; null before. */
    long[] scaleInWindow() {
        return inDecided == 0 ? null : new long[]{inDecided, stopped == 0 ? System.currentTimeMillis() : stopped};
    }

    private static String seconds(long from, long to) {
        return String.format("%.3f s", (to - from) / 1000.0);
    }

    @Override
    public void close() throws Exception {
        if (api != null) {
            api.close();
        }
        if (role != null) {
            role.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
