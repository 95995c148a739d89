package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A subscriber that records what it receives, in order. */
final class Collector implements DeliveryHandler {
    final List<Delivery> events = new CopyOnWriteArrayList<>();
    final List<MissingNotice> missing = new CopyOnWriteArrayList<>();
    final List<Object> timeline = new CopyOnWriteArrayList<>();
    volatile BrokerException closed;

    @Override
    public void onEvent(Delivery d) {
        events.add(d);
        timeline.add(d);
    }

    @Override
    public void onMissing(MissingNotice n) {
        missing.add(n);
        timeline.add(n);
    }

    @Override
    public void onClosed(BrokerException cause) {
        closed = cause;
    }

    List<String> types() {
        return events.stream().map(d -> {
            try {
                return d.event().type();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    List<Long> offsets() {
        return events.stream().map(Delivery::offset).toList();
    }
}
