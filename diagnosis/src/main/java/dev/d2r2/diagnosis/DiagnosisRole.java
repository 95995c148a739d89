package dev.d2r2.diagnosis;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.diagnosis.events.CannotVote;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The diagnosis role, an {@link Agent}: the monitor's samples of the profiles' metric set in from
 * the metrics channel, windows by the clock, and per group and window a vote whose indictments,
 * clearances, distance matrix (or why it could not vote) go out on the diagnosis channel. A
 * window closes {@code grace} after its end; a sample for a closed window is late, counted and
 * dropped, as is a malformed one.
 */
public final class DiagnosisRole implements Agent, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiagnosisRole.class);
    static final int INBOX_CAPACITY = 65_536;
    static final String MALFORMED = "malformed";
    static final String LATE = "late";

    private final BrokerClient client;
    private final DiagnosisConfig config;
    private final Profiles profiles;
    private final Clock clock;
    private final long grace;
    private final Windows windows;
    private final Map<String, Diagnoser> groups = new LinkedHashMap<>();
    private final Map<String, String> groupOf = new HashMap<>();
    private final AgentRunner runner;
    private Subscription samples;
    private Publisher out;
    // written by the agent's thread only, read by any
    private volatile long sampleCount;
    private volatile long lateCount;
    private volatile long windowCount;
    private volatile long indictmentCount;
    private volatile long clearanceCount;
    private volatile long cannotVoteCount;

    /** What the role has done so far. */
    public record Stats(long samples, long late, long windows, long indictments, long clearances, long cannotVote) {
    }

    public DiagnosisRole(BrokerClient client, DiagnosisConfig config, Profiles profiles, Clock clock) {
        this.client = client;
        this.config = config;
        this.profiles = profiles;
        this.clock = clock;
        this.grace = config.graceMillis(profiles.windowMs());
        this.windows = new Windows(profiles.metrics(), profiles.windowMs());
        if (config.groups().isEmpty()) {
            groups.put(DiagnosisConfig.ALL, new Diagnoser(profiles, List.of()));
        } else {
            config.groups().forEach((name, peers) -> {
                groups.put(name, new Diagnoser(profiles, peers));
                peers.forEach(p -> groupOf.put(p, name));
            });
        }
        this.runner = new AgentRunner(this, INBOX_CAPACITY, clock);
        runner.start();
    }

    @Override
    public String roleName() {
        return "diagnosis";
    }

    @Override
    public void onStart() {
        out = client.publisher(config.channel());
        samples = client.subscribe(config.input(), StartPosition.live(), this::take);
        LOG.info("diagnosis: {} groups, {} metrics, windows of {} ms, threshold {}", groups.size(), profiles.metrics().size(),
                profiles.windowMs(), profiles.threshold());
    }

    /** A delivery thread: only the samples of the metric set reach the agent. */
    private void take(Delivery d) {
        try {
            Event e = d.event();
            if (windows.wants(e.type())) {
                runner.deliver(e);
            }
        } catch (EventFormatException e) {
            runner.errors().warn(MALFORMED, "channel " + config.input() + ": malformed event at offset " + d.offset() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public void onMessage(Object message) {
        Event e = (Event) message;
        Sample s;
        try {
            s = Sample.from(e);
        } catch (EventFormatException bad) {
            runner.errors().warn(MALFORMED, "sample " + e.type() + " from " + e.source() + ": " + bad.getMessage());
            return;
        }
        if (s.service() == null || !Double.isFinite(s.value())) {
            runner.errors().warn(MALFORMED, "sample " + s.metric() + " without a peer or with value " + s.value());
            return;
        }
        if (!config.groups().isEmpty() && !groupOf.containsKey(s.service())) {
            return;
        }
        if (windows.add(s.service(), s.metric(), s.time(), s.value())) {
            sampleCount++;
        } else {
            lateCount++;
            runner.errors().warn(LATE, "sample " + s.metric() + " of " + s.service() + " at " + s.time() + " came after its window closed");
        }
    }

    @Override
    public long nextDueMillis() {
        return windows.nextEnd(clock.millis()) + grace;
    }

    @Override
    public void onTimer(long nowMillis) {
        for (Windows.Window w : windows.close(nowMillis - grace)) {
            for (Map.Entry<String, Diagnoser> g : groups.entrySet()) {
                vote(g.getKey(), g.getValue(), w);
            }
        }
    }

    private void vote(String group, Diagnoser diagnoser, Windows.Window w) {
        Map<String, double[]> mine = new TreeMap<>();
        w.vectors().forEach((peer, v) -> {
            if (config.groups().isEmpty() || group.equals(groupOf.get(peer))) {
                mine.put(peer, v);
            }
        });
        Verdict v = diagnoser.step(w.end(), mine);
        windowCount++;
        if (v.cannotVote() != null) {
            cannotVoteCount++;
            out.publish(new CannotVote(w.end(), group, v.cannotVote()).toEvent());
        } else {
            out.publish(new DistanceMatrix(w.end(), group, v.voters(), v.distances(), profiles.threshold()).toEvent());
        }
        for (Indictment i : v.indicted()) {
            LOG.warn("diagnosis: {} indicted in group {} (sqrt-JSD {} from {} of {} peers, {} off by {})", i.peer(), group,
                    String.format(java.util.Locale.ROOT, "%.3f", i.distance()), i.votes(), i.voters() - 1, i.metric(),
                    String.format(java.util.Locale.ROOT, "%.1f", i.effect()));
            out.publish(new PeerIndicted(w.end(), i.peer(), group, i.distance(), profiles.threshold(), i.votes(), i.voters(),
                    i.effect(), i.metric(), i.windows()).toEvent());
            indictmentCount++;
        }
        for (String peer : v.cleared()) {
            LOG.info("diagnosis: {} cleared in group {}", peer, group);
            out.publish(new PeerCleared(w.end(), peer, group).toEvent());
            clearanceCount++;
        }
    }

    public Stats stats() {
        return new Stats(sampleCount, lateCount, windowCount, indictmentCount, clearanceCount, cannotVoteCount);
    }

    /** Makes the agent look at the clock now (a test's {@code ManualClock} moved). */
    public void wake() {
        runner.wake();
    }

    public AgentRunner runner() {
        return runner;
    }

    @Override
    public void onClose() {
        if (samples != null) {
            samples.close();
        }
        if (out != null) {
            out.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        runner.close();
    }
}
