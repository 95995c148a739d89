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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code d2r2 subscribe --channel C}: prints a channel's events as JSON Lines on stdout, live: each
 * event is flushed at once to a terminal, and otherwise within {@link #FLUSH_EVERY_MS} (a pipe
 * still gets full buffers while a stream is busy).
 */
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

    /** How long output may wait in the buffer when it does not go to a terminal. */
    static final long FLUSH_EVERY_MS = 100;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        boolean terminal = System.console() != null && System.console().isTerminal();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        AtomicLong seen = new AtomicLong();
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("d2r2-subscribe-flush").daemon().unstarted(r));
        AtomicLong flushed = new AtomicLong();
        flusher.scheduleWithFixedDelay(() -> {
            long n = seen.get();
            if (flushed.getAndSet(n) != n) {
                out.flush();
            }
        }, FLUSH_EVERY_MS, FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
        try (BrokerClient c = client.connect();
             Subscription s = c.subscribe(channel, position(), new Printer(out, seen, done, terminal))) {
            Runtime.getRuntime().addShutdownHook(new Thread(out::flush));
            return done.get();
        } finally {
            flusher.shutdownNow();
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
        private final boolean flushEach;

        Printer(PrintStream out, AtomicLong seen, CompletableFuture<Integer> done, boolean flushEach) {
            this.out = out;
            this.seen = seen;
            this.done = done;
            this.flushEach = flushEach;
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
            if (flushEach) {
                out.flush();
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
