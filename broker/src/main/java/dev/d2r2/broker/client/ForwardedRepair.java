package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.ForwardedGapRepair;
import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.core.agent.AgentRunner;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A running replica of {@code forwarded} channels repairing, from the other replicas' logs, the
 * sequence numbers it saw skipped: copies a link dropped while this replica was stopped
 * (SIGSTOP), slow or cut off from it (a partition), which no restart's catch-up would fetch.
 * Every {@link Timing#every}, the ranges seen skipped for at least {@link Timing#settle} (a
 * copy still on its way by another path closes a range sooner) are read from each other
 * replica in turn, as the administrator identity this replica forwards with, until none is
 * left ({@link ForwardedGapRepair}); what no replica could give within {@link Timing#giveUp} of
 * being seen is reported as a gap ({@code broker.forwarded.gap}) and no longer looked for.
 *
 * <p>Not detected: events a publisher's last ones lost with nothing of it after them (no later
 * sequence number shows the gap).
 */
public final class ForwardedRepair implements Agent {

    /** How often the repair looks, how long a gap may close by itself first, when it is given up. */
    public record Timing(Duration every, Duration settle, Duration giveUp) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(30));

        public Timing {
            if (!every.isPositive() || settle.isNegative() || giveUp.compareTo(settle) < 0) {
                throw new IllegalArgumentException("repair timing needs every > 0, settle >= 0 and giveUp >= settle, not "
                        + every + ", " + settle + ", " + giveUp);
            }
        }
    }

    private final Broker broker;
    private final List<IdentityFile> peers;
    private final ClientSettings once;
    private final ForwardedCatchUp.Reach reach;
    private final Timing timing;
    private final Clock clock;
    private long next;

    private ForwardedRepair(Broker broker, List<IdentityFile> peers, ClientSettings settings, ForwardedCatchUp.Reach reach,
                            Timing timing, Clock clock) {
        this.broker = broker;
        this.peers = List.copyOf(peers);
        this.once = settings.withFailover(new FailoverPolicy(Duration.ofMillis(50), Duration.ofSeconds(1), reach.patience()));
        this.reach = reach;
        this.timing = timing;
        this.clock = clock;
        this.next = clock.millis() + timing.every().toMillis();
    }

    /**
     * Starts repairing {@code broker}'s forwarded channels from the replicas {@code peers} names
     * (administrator identities, as given to {@link ForwardingLinks}); {@code clock} is the broker's.
     */
    public static AgentRunner start(Broker broker, List<IdentityFile> peers, ClientSettings settings,
                                    ForwardedCatchUp.Reach reach, Timing timing, Clock clock) {
        return new AgentRunner(new ForwardedRepair(broker, peers, settings, reach, timing, clock), 16, clock).start();
    }

    @Override
    public String roleName() {
        return "forwarded-repair";
    }

    @Override
    public void onMessage(Object message) {
        // Nothing is sent to it: it works on its timer.
    }

    @Override
    public long nextDueMillis() {
        return next;
    }

    @Override
    public void onTimer(long nowMillis) throws InterruptedException {
        next = nowMillis + timing.every().toMillis();
        List<ForwardedGapRepair> repairs = broker.gapRepairs(timing.settle(), reach.margin());
        if (repairs.isEmpty()) {
            return;
        }
        for (IdentityFile peer : peers) {
            if (repairs.stream().allMatch(ForwardedGapRepair::complete)) {
                break;
            }
            try (RemoteBrokerClient client = RemoteBrokerClient.connect(peer, peer.replicas(), once)) {
                for (ForwardedGapRepair repair : repairs) {
                    if (!repair.complete()) {
                        readFrom(client, peer, repair);
                    }
                }
            } catch (IOException | BrokerException e) {
                repairs.forEach(r -> r.failed(peer.broker(), e));
            }
        }
        long giveUpBy = clock.millis() - timing.giveUp().toMillis();
        repairs.forEach(r -> r.finish(giveUpBy));
    }

    private void readFrom(RemoteBrokerClient client, IdentityFile peer, ForwardedGapRepair repair) throws InterruptedException {
        try {
            ForwardedCatchUp.readInto(client, repair, reach);
        } catch (BrokerException | TimeoutException e) {
            repair.failed(peer.broker(), e);
        }
    }
}
