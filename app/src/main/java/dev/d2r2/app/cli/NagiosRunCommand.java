package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.events.NagiosCheck;
import dev.d2r2.core.Durations;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.nagios.NagiosPlugin;
import dev.d2r2.core.nagios.PluginOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code d2r2 nagios-run --channel C -- PLUGIN ARGS}: runs a Nagios-compatible plugin and publishes
 * its result as a state event (exit 0-3 → ok/warning/critical/unknown, perfdata → attrs).
 */
@Command(name = "nagios-run", mixinStandardHelpOptions = true,
        description = "Run a Nagios plugin and publish its result as a state event; with --interval, keep running it.")
public final class NagiosRunCommand implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--channel", required = true, paramLabel = "TAG") String channel;

    @Option(names = "--type", paramLabel = "TYPE", description = "Event type (default nagios.<plugin name>)") String type;

    @Option(names = "--source", paramLabel = "NAME", description = "The monitored entity (default: this host's name)") String source;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", description = "Plugin time limit (${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Run again every DURATION until stopped")
    String interval;

    @Option(names = "--count", paramLabel = "N", description = "With --interval: stop after N runs")
    long count;

    @Option(names = "--print", description = "Also print each event on stdout")
    boolean print;

    @Parameters(paramLabel = "PLUGIN", arity = "1..*", description = "The plugin and its arguments (after --)")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        String eventType = type != null ? type : NagiosCheck.defaultType(command.getFirst());
        String src = source != null ? source : java.net.InetAddress.getLocalHost().getHostName();
        Duration limit = Durations.parse(timeout);
        Duration every = interval == null ? null : Durations.parse(interval);
        String previous = null;
        try (BrokerClient c = client.connect(); Publisher p = c.publisher(channel)) {
            long runs = 0;
            long next = System.nanoTime();
            do {
                PluginOutput last = NagiosPlugin.run(command, limit);
                Event e = NagiosCheck.of(last, eventType, src, previous, System.currentTimeMillis()).toEvent();
                long seq = p.publish(e);
                p.awaitAcknowledged(seq, Duration.ofSeconds(30));
                if (print) {
                    System.out.println(EventCodec.encodeToString(e));
                }
                previous = e.to();
                runs++;
                if (every != null) {
                    next += every.toNanos();
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            } while (every != null && (count == 0 || runs < count));
        }
        return 0;
    }
}
