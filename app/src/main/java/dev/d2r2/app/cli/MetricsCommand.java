package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.monitor.MonitorConfig;
import dev.d2r2.monitor.ResilienceConfig;
import dev.d2r2.monitor.events.MonitorEvents;
import dev.d2r2.monitor.events.ResilienceMeasure;
import dev.d2r2.monitor.events.Sample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** {@code d2r2 metrics query SERVICE METRIC --since 10m}: a service's metric over a time range, from the channels' logs. */
@Command(name = "metrics", mixinStandardHelpOptions = true, description = "Query the samples and resilience metrics kept in the broker's logs.",
        subcommands = {MetricsCommand.Query.class})
public final class MetricsCommand extends CommandGroup {

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = "Print a service's metric since a time (JSON Lines, oldest first) and a summary on stderr.")
    public static final class Query implements Callable<Integer> {
        /** Replay is over when the log has been quiet this long. */
        private static final long QUIET_NANOS = 500_000_000L;

        @Parameters(index = "0", paramLabel = "SERVICE") String service;

        @Parameters(index = "1", paramLabel = "METRIC", description = "e.g. tcp.connect_ms, or availability (resilience.availability)")
        String metric;

        @Option(names = "--since", paramLabel = "DURATION|INSTANT", defaultValue = "10m", description = "How far back (${DEFAULT-VALUE})")
        String since;

        @Option(names = "--channel", paramLabel = "TAG", split = ",", defaultValue = ResilienceConfig.DEFAULT_CHANNEL + "," + MonitorConfig.DEFAULT_METRICS,
                description = "Channels to read (${DEFAULT-VALUE})")
        List<String> channels;

        @Mixin ClientOptions client;

        @Override
        public Integer call() throws Exception {
            long from = from();
            long until = System.currentTimeMillis();
            List<Event> found = new CopyOnWriteArrayList<>();
            AtomicLong lastDelivery = new AtomicLong(System.nanoTime());
            try (BrokerClient c = client.connect()) {
                List<Subscription> subs = new ArrayList<>();
                for (String tag : channels) {
                    try {
                        subs.add(c.subscribe(tag, StartPosition.since(from), d -> collect(d, from, until, found, lastDelivery)));
                    } catch (BrokerException e) {
                        if (e.code() != ErrorCode.NOT_PERSISTENT && e.code() != ErrorCode.UNKNOWN_CHANNEL) {
                            throw e;
                        }
                        System.err.println("metrics query: skipping " + tag + ": " + e.getMessage());
                    }
                }
                while (System.nanoTime() - lastDelivery.get() < QUIET_NANOS) {
                    LockSupport.parkNanos(50_000_000);
                }
                subs.forEach(Subscription::close);
            }
            List<Event> sorted = new ArrayList<>(found);
            sorted.sort(Comparator.comparingLong(Event::time));
            for (Event e : sorted) {
                System.out.println(EventCodec.encodeToString(e));
            }
            List<Double> values = sorted.stream().map(Query::value).filter(java.util.Objects::nonNull).toList();
            var stats = values.stream().mapToDouble(Double::doubleValue).summaryStatistics();
            System.err.printf("%s %s since %s: %d values%s%n", service, metric, Instant.ofEpochMilli(from), sorted.size(),
                    stats.getCount() == 0 ? "" : String.format(", min %s, mean %s, max %s, last %s", stats.getMin(),
                            stats.getAverage(), stats.getMax(), values.getLast()));
            return 0;
        }

        private void collect(Delivery d, long from, long until, List<Event> found, AtomicLong lastDelivery) {
            lastDelivery.set(System.nanoTime());
            try {
                Event e = d.event();
                if (service.equals(e.source()) && e.time() >= from && e.time() <= until
                        && (metric.equals(e.type()) || ResilienceMeasure.type(metric).equals(e.type()))) {
                    found.add(e);
                }
            } catch (EventFormatException e) {
                System.err.println("metrics query: unreadable event at " + d.channel() + " offset " + d.offset());
            }
        }

        /** The value of a sample or a resilience metric; null for anything else (a probe's error). */
        private static Double value(Event e) {
            try {
                return MonitorEvents.RESILIENCE.matches(e.type()) ? ResilienceMeasure.from(e).value() : Sample.from(e).value();
            } catch (EventFormatException ex) {
                return null;
            }
        }

        private long from() {
            return TimeArgs.since(since, System.currentTimeMillis());
        }
    }
}
