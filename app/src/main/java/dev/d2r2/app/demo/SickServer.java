package dev.d2r2.app.demo;

import dev.d2r2.app.node.Node;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.diagnosis.DiagnosisConfig;
import dev.d2r2.diagnosis.DiagnosisRole;
import dev.d2r2.diagnosis.ProfilesFile;
import dev.d2r2.diagnosis.Trainer;
import dev.d2r2.diagnosis.VoteSettings;
import dev.d2r2.diagnosis.events.DiagnosisEvents;
import dev.d2r2.monitor.events.Sample;
import dev.d2r2.sip.events.SipEvents;
import dev.d2r2.sip.server.SipServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The demo's sick-server phase. One SIP server gets a CPU hog — real threads of its own spinning,
 * one per core ({@link SipServer#cpuHog}); the servers run inside the demo's process, so the monitor's
 * {@code os} probes read the kernel's accounting of each server's threads ({@code threads:sip-NAME}).
 * Profiles are learnt from what the probes recorded from the demo's start until the story's crash
 * (the flood included: peers under one load stay alike; a crashed and restarted server is not
 * normal behaviour), the diagnosis role, its group the edge's backends, votes every {@value #WINDOW_MS} ms,
 * indicts the hog's server, the demo's policy drains it at the edge through the example's
 * {@code edge-drain.sh}; the hog ends, the server is cleared and the policy puts it back.
 */
final class SickServer implements AutoCloseable {
    static final String CULPRIT = "s3";
    /** The monitor's samples and the diagnosis's verdicts (as the demo's node.yaml names them). */
    static final String SAMPLES = "samples";
    static final String DIAGNOSIS = "diagnosis";
    /** The edge's telemetry: the live diagnosis takes its group from the edge's backend set. */
    static final String EDGE = "edge";
    static final long WINDOW_MS = 500;
    static final List<String> METRICS = List.of("os.cpu_pct", "os.ctx_switches_per_s");
    private static final int PROFILES = 2;
    private static final long SEED = 1;
    private static final double MARGIN = 0.25;
    /** Each step waits at most this long for the loop. */
    private static final long STEP_MS = 8_000;

    private final Path dir;
    private final List<Sample> recorded = new ArrayList<>();
    /** Until the story's crash: a crashed and restarted server is no sample of normal behaviour. */
    private boolean faultFree = true;
    private volatile String culprit;
    private volatile long hogStart = Long.MAX_VALUE;
    private volatile long indicted;
    private volatile long drained;
    private volatile long cleared;
    private volatile long returned;
    private BrokerClient client;
    private DiagnosisRole role;

    SickServer(Path dir) {
        this.dir = dir;
    }

    /** The servers' OS samples, kept for training; the culprit's verdicts and its state at the edge. */
    void take(Delivery d) {
        try {
            Event e = d.event();
            long now = System.currentTimeMillis();
            if (METRICS.contains(e.type())) {
                synchronized (recorded) {
                    if (faultFree) {
                        recorded.add(Sample.from(e));
                    }
                }
            } else if (e.source() != null && e.source().equals(culprit) && now >= hogStart) {
                verdict(e, now);
            }
        } catch (EventFormatException e) {
            // the observatory counts and logs malformed events
        }
    }

    /** A server is about to crash: what the probes say from now on is not normal behaviour. */
    void stopLearning() {
        synchronized (recorded) {
            faultFree = false;
        }
    }

    private void verdict(Event e, long now) {
        if (DiagnosisEvents.INDICTED.matches(e.type()) && indicted == 0) {
            indicted = now;
        } else if (DiagnosisEvents.CLEARED.matches(e.type()) && indicted != 0 && cleared == 0) {
            cleared = now;
        } else if (SipEvents.EDGE_BACKEND.matches(e.type())) {
            if ("draining".equals(e.to()) && indicted != 0 && drained == 0) {
                drained = now;
            } else if (("added".equals(e.to()) || "up".equals(e.to())) && cleared != 0 && returned == 0) {
                returned = now;
            }
        }
    }

    /** The phase: profiles learnt, the diagnosis voting, the hog, the indictment and the drain, the cure, the return. */
    void play(Node node, String culpritId, Timeline timeline, BiConsumer<String, String> begin) throws IOException, InterruptedException {
        List<Sample> samples;
        synchronized (recorded) {
            samples = List.copyOf(recorded);
        }
        Map<String, List<String>> groups = Map.of(DiagnosisConfig.BACKENDS, node.edge().edge().backends().stream().map(b -> b.id())
                .sorted().toList());
        Trainer.Training training;
        try {
            training = Trainer.train(samples, new Trainer.Request(METRICS, "os", groups, WINDOW_MS, PROFILES, VoteSettings.DEFAULTS,
                    MARGIN, SEED));
        } catch (IllegalArgumentException e) {
            begin.accept("diagnosis", "no profiles could be learnt (" + e.getMessage() + "): no sick-server phase");
            return;
        }
        Path profiles = dir.resolve("profiles.json");
        ProfilesFile.write(training.profiles(), profiles);
        DiagnosisConfig config = new DiagnosisConfig(profiles.toString(), METRICS, SAMPLES, DIAGNOSIS, Map.of(), EDGE, null);
        client = node.newClient();
        role = new DiagnosisRole(client, config, training.profiles(), Clock.system());
        begin.accept("diagnosis", String.format(Locale.ROOT, "%d profiles learnt from %d peer-windows; sqrt-JSD threshold %.3f;"
                + " a vote every %d ms", PROFILES, training.vectors(), training.profiles().threshold(), WINDOW_MS));
        long warm = System.currentTimeMillis();
        timeline.until(() -> role.stats().windows() > VoteSettings.DEFAULTS.warmup() + 1, warm + STEP_MS);

        SipServer server = node.sipServers().get(CULPRIT);
        culprit = culpritId;
        hogStart = System.currentTimeMillis();
        begin.accept("sick", "SIP server " + CULPRIT + " (" + culpritId + ") gets a CPU hog: threads of its own spin, one per core");
        server.cpuHog(true);
        try {
            timeline.until(() -> drained != 0, hogStart + STEP_MS);
        } finally {
            server.cpuHog(false);
        }
        long cured = System.currentTimeMillis();
        begin.accept("cured", "the hog ends: " + CULPRIT + " should be cleared and put back");
        timeline.until(() -> returned != 0, cured + STEP_MS);
    }

    private static Double seconds(long from, long to) {
        return to == 0 || from == Long.MAX_VALUE ? null : (to - from) / 1000.0;
    }

    /** From the hog's start to the indictment. */
    Double indicted() {
        return seconds(hogStart, indicted);
    }

    /** From the hog's start to the culprit draining at the edge. */
    Double drained() {
        return seconds(hogStart, drained);
    }

    /** From the hog's start to the culprit back at the edge after its clearance. */
    Double returned() {
        return seconds(hogStart, returned);
    }

    /** Ends the diagnosis once its phase is over; again at the end does nothing. */
    @Override
    public void close() throws InterruptedException {
        if (role != null) {
            role.close();
            client.close();
            role = null;
        }
    }
}
