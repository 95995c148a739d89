package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.function.Consumer;

/** Where a long-running command's events go: printed on stdout as JSON lines, published on a broker channel, both or neither. */
final class EventOutlet {
    @Option(names = "--print", description = "Print each event on stdout")
    boolean print;

    @Option(names = "--channel", paramLabel = "TAG", description = "Publish the events on this broker channel")
    String channel;

    @Mixin ClientOptions client;

    /** The events' way out, connected to the broker when there is a channel. */
    Open open() throws IOException {
        if (channel == null) {
            return new Open(print, null, null);
        }
        BrokerClient broker = client.connect();
        try {
            return new Open(print, broker, broker.publisher(channel));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    record Open(boolean print, BrokerClient broker, Publisher publisher) implements Consumer<Event>, AutoCloseable {
        @Override
        public void accept(Event e) {
            if (print) {
                System.out.println(EventCodec.encodeToString(e));
                System.out.flush();
            }
            if (publisher != null) {
                publisher.publish(e);
            }
        }

        @Override
        public void close() {
            if (publisher != null) {
                publisher.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }
}
