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
import dev.d2r2.diagnosis.events.DiagnosisEvents;
import dev.d2r2.diagnosis.events.PeerIndicted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * The diagnosis role, an {@link Agent}: the monitor's samples of the profiles' metric set in from
 * the metrics channel, a {@link DiagnosisStage} windowing them by the clock, and per group and
 * window a vote whose indictments, clearances, distance matrix (or why it could not vote) go out
 * on the diagnosis channel. A sample for a closed window is late, counted and dropped, as is a
 * malformed one.
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
    private final DiagnosisStage stage;
    private final AgentRunner runner;
    private Subscription samples;
    private Subscription backends;
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
        this.stage = new DiagnosisStage(config, profiles);
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
        if (config.backends() != null) {
            backends = client.subscribe(config.backends(), StartPosition.live(), this::take);
        }
        LOG.info("diagnosis: {} groups, {} metrics, windows of {} ms, threshold {}", Math.max(1, config.groups().size()),
                profiles.metrics().size(), profiles.windowMs(), profiles.threshold());
    }

    /** A delivery thread: only the samples of the metric set (and the edge's telemetry, when its backends are a group) reach the agent. */
    private void take(Delivery d) {
        try {
            Event e = d.event();
            if (stage.wants(e.type())) {
                runner.deliver(e);
            }
        } catch (EventFormatException e) {
            runner.errors().warn(MALFORMED, "channel " + d.channel() + ": malformed event at offset " + d.offset() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public void onMessage(Object message) {
        Event e = (Event) message;
        try {
            switch (stage.accept(e)) {
                case TAKEN -> sampleCount++;
                case LATE -> {
                    lateCount++;
                    runner.errors().warn(LATE, "sample " + e.type() + " of " + e.source() + " at " + e.time() + " came after its window closed");
                }
                case MALFORMED -> runner.errors().warn(MALFORMED, "sample " + e.type() + " without a peer or with a value that is not a number");
                case NOT_WATCHED, BACKENDS -> {
                }
            }
        } catch (EventFormatException bad) {
            runner.errors().warn(MALFORMED, "sample " + e.type() + " from " + e.source() + ": " + bad.getMessage());
        }
    }

    @Override
    public long nextDueMillis() {
        return stage.nextDue(clock.millis());
    }

    @Override
    public void onTimer(long nowMillis) {
        stage.close(nowMillis, this::publish);
    }

    private void publish(Event e) {
        out.publish(e);
        if (DiagnosisEvents.INDICTED.matches(e.type())) {
            indictmentCount++;
            try {
                PeerIndicted i = PeerIndicted.from(e);
                LOG.warn("diagnosis: {} indicted in group {} (sqrt-JSD {} from {} of {} peers, {} off by {})", i.peer(), i.group(),
                        String.format(Locale.ROOT, "%.3f", i.distance()), i.votes(), i.voters() - 1, i.metric(),
                        String.format(Locale.ROOT, "%.1f", i.effect()));
            } catch (EventFormatException cannotHappen) {
                throw new IllegalStateException(cannotHappen);
            }
        } else if (DiagnosisEvents.CLEARED.matches(e.type())) {
            clearanceCount++;
            LOG.info("diagnosis: {} cleared", e.source());
        } else {
            windowCount++;
            if (DiagnosisEvents.CANNOT_VOTE.matches(e.type())) {
                cannotVoteCount++;
            }
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
        if (backends != null) {
            backends.close();
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
