package dev.d2r2.scale;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.scale.events.CloudAccess;
import dev.d2r2.scale.events.ScaleEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads the {@code scale.cloud} events of a scaler's channel from its log, oldest first, so that a
 * restarted scaler takes again the clone bans in force ({@link CloneBan#inForce}): the policy
 * engine does not deploy an action twice. A malformed one is skipped and counted in the log line.
 */
public final class CloudAccessLog {
    private static final Logger LOG = LoggerFactory.getLogger(CloudAccessLog.class);

    private CloudAccessLog() {
    }

    /** The channel's {@code scale.cloud} events up to its end as it is now; none when its log is empty. */
    public static List<CloudAccess> read(BrokerClient client, String channel, Duration timeout) throws IOException, InterruptedException {
        LogSpan span = client.logSpan(channel);
        if (span == null) {
            return List.of();
        }
        List<CloudAccess> out = new ArrayList<>();
        int[] malformed = {0};
        CountDownLatch end = new CountDownLatch(1);
        try (Subscription s = client.subscribe(channel, StartPosition.fromOffset(span.firstOffset()), d -> {
            if (d.offset() > span.lastOffset()) {
                return;
            }
            try {
                Event e = d.event();
                if (e.type().equals(ScaleEvents.CLOUD.name())) {
                    out.add(CloudAccess.from(e));
                }
            } catch (EventFormatException x) {
                malformed[0]++;
            }
            if (d.offset() >= span.lastOffset()) {
                end.countDown();
            }
        })) {
            if (!end.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("the log of " + channel + " was not read to offset " + span.lastOffset() + " within "
                        + timeout.toSeconds() + " s");
            }
        }
        if (malformed[0] > 0) {
            LOG.warn("scaler: {} malformed events skipped in the log of {}", malformed[0], channel);
        }
        return out;
    }
}
