package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.ForwardedGapFill;
import dev.d2r2.broker.server.PeerLogFill;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A replica of {@code forwarded} channels catching up, before it serves again, on the events
 * the other replicas took while it was down: from each one's log in turn (over its client
 * protocol, as the administrator identity the replica forwards with), the events logged from
 * shortly before this replica's last one on, each taken once ({@link ForwardedGapFill}).
 *
 * <p>The reach is bounded: at most {@link Reach#events} of each other replica's last events,
 * and only what its log still retains. An event beyond it is missing here: reported per
 * publisher when a later event of the same publisher is found ({@code broker.forwarded.gap}).
 */
public final class ForwardedCatchUp {

    /**
     * How far catch-up goes: from {@code margin} before this replica's last event (the replicas'
     * clock difference and the forwarding delay), at most the last {@code events} of each other
     * replica's log, each replica given {@code patience} per channel (connection included).
     */
    public record Reach(Duration margin, long events, Duration patience) {
        public static final Reach DEFAULT = new Reach(Duration.ofSeconds(5), 1 << 20, Duration.ofSeconds(10));

        public Reach {
            if (margin.isNegative() || events < 1 || !patience.isPositive()) {
                throw new IllegalArgumentException("catch-up reach needs a margin >= 0, events >= 1 and patience > 0, not "
                        + margin + ", " + events + ", " + patience);
            }
        }

        public Reach withEvents(long n) {
            return new Reach(margin, n, patience);
        }
    }

    private ForwardedCatchUp() {
    }

    /**
     * Catches up every forwarded channel with a log of {@code broker} from the replicas that
     * {@code peers} (administrator identities, as given to {@link ForwardingLinks}) name; a
     * replica that cannot be read is counted and skipped. Returns what each channel's gap fill did.
     */
    public static List<ForwardedGapFill.Result> run(Broker broker, List<IdentityFile> peers, ClientSettings settings,
                                                    Reach reach) throws IOException, InterruptedException {
        List<ForwardedGapFill> fills = new ArrayList<>();
        for (String tag : broker.forwardedLogChannels()) {
            fills.add(broker.gapFill(tag, reach.margin()));
        }
        ClientSettings once = settings.withFailover(new FailoverPolicy(Duration.ofMillis(50), Duration.ofSeconds(1),
                reach.patience()));
        for (IdentityFile peer : fills.isEmpty() ? List.<IdentityFile>of() : peers) {
            try (RemoteBrokerClient client = RemoteBrokerClient.connect(peer, peer.replicas(), once)) {
                for (ForwardedGapFill fill : fills) {
                    try {
                        readInto(client, fill, reach);
                    } catch (BrokerException | TimeoutException e) {
                        fill.failed(peer.broker(), e);
                    }
                }
            } catch (IOException | BrokerException e) {
                for (ForwardedGapFill fill : fills) {
                    fill.failed(peer.broker(), e);
                }
            }
        }
        return fills.stream().map(ForwardedGapFill::finish).toList();
    }

    /** Reads one channel of one other replica's log, from the fill's time up to the log's end when asked. */
    static void readInto(RemoteBrokerClient client, PeerLogFill fill, Reach reach)
            throws TimeoutException, InterruptedException {
        LogSpan span = client.logSpan(fill.channel());
        if (span == null) {
            return;
        }
        long end = span.nextOffset();
        long floor = end - reach.events();
        CountDownLatch read = new CountDownLatch(1);
        RemoteSubscription sub = client.subscribeEnvelopes(fill.channel(), StartPosition.since(fill.since()), (offset, e) -> {
            if (offset >= end) {
                // Logged after the catch-up began: forwarding brings it once this replica serves again.
                read.countDown();
                return;
            }
            if (offset >= floor) {
                fill.take(e);
            }
            if (offset == end - 1) {
                read.countDown();
            }
        });
        try {
            if (sub.firstOffset() < end && !read.await(reach.patience().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("its log of " + fill.channel() + " not read up to offset " + end + " within "
                        + reach.patience());
            }
        } finally {
            sub.close();
        }
    }
}
