package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Durations;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** {@code d2r2 subscribe --channel C}: prints a channel's events as JSON Lines on stdout. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Print a channel's events as JSON Lines on stdout (live, or replayed from its log first).")
public final class SubscribeCommand implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--channel", required = true, paramLabel = "TAG") String channel;

    @ArgGroup(exclusive = true)
    Start start;

    static final class Start {
        @Option(names = "--from-offset", paramLabel = "N", description = "Replay from this offset") Long fromOffset;
        @Option(names = "--since", paramLabel = "TIME",
                description = "Replay from this time: an ISO-8601 instant or a duration ago (10m)") String since;
    }

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events")
    long count;

    @Option(names = "--meta", description = "Wrap each event with its offset, publisher and broker time")
    boolean meta;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        AtomicLong seen = new AtomicLong();
        try (BrokerClient c = client.connect();
             Subscription s = c.subscribe(channel, position(), new Printer(out, seen, done))) {
            Runtime.getRuntime().addShutdownHook(new Thread(out::flush));
            return done.get();
        } finally {
            out.flush();
        }
    }

    private StartPosition position() {
        if (start == null) {
            return StartPosition.live();
        }
        if (start.fromOffset != null) {
            return StartPosition.fromOffset(start.fromOffset);
        }
        try {
            return StartPosition.since(Instant.parse(start.since).toEpochMilli());
        } catch (DateTimeParseException e) {
            return StartPosition.since(System.currentTimeMillis() - Durations.parse(start.since).toMillis());
        }
    }

    private final class Printer implements DeliveryHandler {
        private final PrintStream out;
        private final AtomicLong seen;
        private final CompletableFuture<Integer> done;

        Printer(PrintStream out, AtomicLong seen, CompletableFuture<Integer> done) {
            this.out = out;
            this.seen = seen;
            this.done = done;
        }

        @Override
        public void onEvent(Delivery d) {
            byte[] payload = d.payload();
            if (meta) {
                out.printf("{\"offset\":%d,\"publisher\":\"%s\",\"time\":%d,\"event\":", d.offset(), d.publisher(),
                        d.publishTime());
                out.write(payload, 0, payload.length);
                out.print("}\n");
            } else {
                out.write(payload, 0, payload.length);
                out.print('\n');
            }
            long n = seen.incrementAndGet();
            if (count > 0 && n >= count) {
                done.complete(0);
            }
        }

        @Override
        public void onMissing(MissingNotice n) {
            out.flush();
            System.err.printf("missing: %d events of %s (offsets %d..%d) were dropped for this slow subscriber%n",
                    n.count(), n.channel(), n.fromOffset(), n.toOffset());
        }

        @Override
        public void onClosed(BrokerException cause) {
            out.flush();
            System.err.println("subscription ended: " + cause.getMessage());
            done.complete(1);
        }
    }
}
