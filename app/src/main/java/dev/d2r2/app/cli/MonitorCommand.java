package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.core.config.ConfigLoader;
import dev.d2r2.monitor.Monitor;
import dev.d2r2.monitor.MonitorConfig;
import dev.d2r2.monitor.ServiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 monitor --config F}: a monitoring peer; {@code d2r2 monitor check --config F}: validate the file. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = "Run a monitoring peer: probes → samples on the metrics channel, thresholds → alarms.",
        subcommands = {MonitorCommand.Check.class})
public final class MonitorCommand implements Callable<Integer> {
    // Not required by picocli: it would then be required before "check" too.
    @Option(names = "--config", paramLabel = "FILE", description = "The monitor's YAML configuration (required)")
    Path config;

    @Mixin ClientOptions client;

    @Option(names = "--peer", paramLabel = "NAME", description = "This peer's name in its group (default: host name and pid)")
    String peer;

    @Override
    public Integer call() throws Exception {
        if (config == null) {
            throw new IllegalArgumentException("--config FILE is required");
        }
        MonitorConfig c = ConfigLoader.load(config, MonitorConfig.class);
        String name = peer != null ? peer : java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        // Samples stream steadily: gathering 5 ms of them per TLS record costs alarms at most 5 ms.
        try (var broker = client.connect(java.time.Duration.ofMillis(5)); Monitor m = new Monitor(c, broker, Clock.system(), name).start()) {
            System.err.println("monitor " + name + ": " + summary(c) + "; samples on " + c.metrics() + ", alarms on " + c.alarms()
                    + (c.peers() == null ? "" : "; group on " + c.peers().channel()));
            new CountDownLatch(1).await();
        }
        return 0;
    }

    static String summary(MonitorConfig c) {
        int probes = c.services().stream().mapToInt(s -> s.probes().size()).sum();
        int thresholds = c.services().stream().map(ServiceConfig::thresholds).mapToInt(java.util.List::size).sum();
        return c.services().size() + " services, " + probes + " probes, " + thresholds + " thresholds";
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a monitor configuration: exit 0 when valid, 2 with file:line:col errors when not.")
    public static final class Check implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", required = true) Path config;

        @Override
        public Integer call() throws ConfigException {
            System.out.println(config + ": ok, " + summary(ConfigLoader.load(config, MonitorConfig.class)));
            return 0;
        }
    }
}
