package dev.d2r2.app.cli;

import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.tunnel.path.TrustInput;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Hands the trust changes of a broker channel ({@link PathTrustFeed}) to a tunnel endpoint; counts
 * and reports (at most every 10 s) the events it cannot read.
 */
final class TrustFeed implements DeliveryHandler {
    private final Consumer<TrustInput> endpoint;
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicReference<Long> lastReport = new AtomicReference<>(0L);

    TrustFeed(Consumer<TrustInput> endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void onEvent(Delivery d) {
        try {
            TrustInput input = PathTrustFeed.translate(d.event());
            if (input != null) {
                endpoint.accept(input);
            }
        } catch (EventFormatException e) {
            long n = unreadable.incrementAndGet();
            long now = System.currentTimeMillis();
            Long last = lastReport.get();
            if (now - last >= 10_000 && lastReport.compareAndSet(last, now)) {
                System.err.println("trust feed: " + n + " unreadable events, the last at " + d.channel() + " offset " + d.offset()
                        + ": " + e.getMessage());
            }
        }
    }
}
