package dev.d2r2.broker.server;

import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The broker's own publisher on its system channel. Its events are signed by no one (the channel
 * is SI) and published as the administrator; sequence numbers continue across restarts from the
 * channel's log, and each event is forced to disk before {@link #publish} returns.
 */
final class SystemChannel {
    private final ChannelRuntime channel;
    private final Clock clock;
    private final Consumer<ServerSubscription> disconnect;
    private long sequence;

    SystemChannel(ChannelRuntime channel, Clock clock, Consumer<ServerSubscription> disconnect) {
        this.channel = channel;
        this.clock = clock;
        this.disconnect = disconnect;
        this.sequence = channel.nextOffset();
    }

    LogHealth health() {
        return channel.health();
    }

    synchronized void publish(Event e) throws IOException {
        List<ServerSubscription> slow = new ArrayList<>(0);
        channel.publish(Envelope.ofEvent(Broker.ADMIN, ++sequence, clock.millis(), e), slow);
        slow.forEach(disconnect);
        channel.sync();
    }
}
