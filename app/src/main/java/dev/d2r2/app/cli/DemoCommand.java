package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.chronicle.ChronicleCompiler;
import dev.d2r2.chronicle.ChronicleRole;
import dev.d2r2.chronicle.Recognizer;
import dev.d2r2.chronicle.lang.ChronicleException;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.monitor.Monitor;
import dev.d2r2.monitor.MonitorConfig;
import dev.d2r2.monitor.ProbeConfig;
import dev.d2r2.monitor.ServiceConfig;
import dev.d2r2.monitor.ThresholdConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code d2r2 demo}: what runs of d2r2 today, for real, in one process. A broker with a TLS
 * listener; a monitoring peer probing the broker (TCP connect time and, when Debian's
 * monitoring-plugins are installed, {@code check_tcp}) and this process (CPU, memory, files),
 * with thresholds and alarms; the chronicle role on the samples and alarms, publishing alerts;
 * and a console that subscribes over the network and prints the events as they arrive.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the embedded default: broker, probes, chronicles and a live console of their events and alerts.")
public final class DemoCommand implements Callable<Integer> {
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final Path CHECK_TCP = Path.of("/usr/lib/nagios/plugins/check_tcp");

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "15s", description = "How long to run (${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", description = "Probe interval (${DEFAULT-VALUE})")
    String interval;

    @Option(names = "--headless", description = "Accepted for scripts; the demo has no browser part yet")
    boolean headless;

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("d2r2-demo");
        Duration runFor = Durations.parse(duration);
        Duration every = Durations.parse(interval);
        try (Broker broker = Broker.open(data, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0))) {
            try (BrokerClient probe = broker.connectLocal("probe")) {
                createChannels(broker);
                IdentityFile admin = IdentityFile.load(broker.adminIdentityPath());
                System.out.printf("d2r2 demo: broker on %s:%d (TLS), data in %s; running %s%n", server.address().getHostString(), server.address().getPort(), data,
                        Durations.format(runFor));
                AtomicLong printed = new AtomicLong();
                try (RemoteBrokerClient console = RemoteBrokerClient.connect(admin);
                     Subscription alarms = console.subscribe("alarms", StartPosition.live(), d -> print(d, printed));
                     Subscription samples = console.subscribe("samples", StartPosition.live(), d -> print(d, printed));
                     Subscription alerts = console.subscribe("alerts", StartPosition.live(), d -> print(d, printed));
                     BrokerClient chronicleClient = broker.connectLocal(Broker.ADMIN);
                     ChronicleRole chronicles = new ChronicleRole(chronicleClient, demoChronicles(),
                             new Recognizer.Options(500, 3_600_000), List.of("samples", "alarms"), "alerts", Clock.system(), r -> { });
                     Monitor monitor = new Monitor(monitorConfig(server.address(), every), probe, Clock.system(), "demo").start()) {
                    LockSupport.parkNanos(runFor.toNanos());
                }
                System.out.printf("d2r2 demo: done, %d events shown%n", printed.get());
                return printed.get() > 0 ? 0 : 1;
            }
        } finally {
            deleteTree(data);
        }
    }

    private static List<dev.d2r2.chronicle.Chronicle> demoChronicles() throws IOException {
        try (var in = DemoCommand.class.getResourceAsStream("/dev/d2r2/app/demo.chr")) {
            return ChronicleCompiler.compile("demo.chr", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .chronicles();
        } catch (ChronicleException e) {
            throw new IllegalStateException("the demo's chronicles do not compile: " + e.getMessage(), e);
        }
    }

    private static void createChannels(Broker broker) {
        try (BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("samples", ChannelClass.DEFAULT
                    .withPersistence(Persistence.LOG, FsyncPolicy.every(Duration.ofMillis(100))),
                    Set.of("probe"), Set.of(ChannelSpec.ANYONE)));
            admin.createChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT.withOrdering(Ordering.TOTAL).withPriority(9)
                    .withQueue(ChannelClass.DEFAULT_QUEUE_CAPACITY, OverflowPolicy.BLOCK),
                    Set.of("probe"), Set.of(ChannelSpec.ANYONE)));
            admin.createChannel(new ChannelSpec("alerts", ChannelClass.DEFAULT.withPriority(9)
                    .withPersistence(Persistence.LOG, FsyncPolicy.ALWAYS), Set.of(Broker.ADMIN), Set.of(ChannelSpec.ANYONE)));
        }
    }

    /**
     * The demo's monitoring peer: the broker's TCP connect time and, when Debian's
     * monitoring-plugins are installed, {@code check_tcp} against it; and this process's CPU,
     * memory and open files. Samples on {@code samples}, alarms on {@code alarms}.
     */
    private static MonitorConfig monitorConfig(InetSocketAddress broker, Duration every) {
        String target = broker.getHostString() + ":" + broker.getPort();
        List<ProbeConfig> brokerProbes = new java.util.ArrayList<>();
        brokerProbes.add(new ProbeConfig("tcp", null, target, every, null, null, null, null, null, null));
        if (Files.isExecutable(CHECK_TCP)) {
            brokerProbes.add(new ProbeConfig("nagios", null, null, every, Duration.ofSeconds(3), List.of(CHECK_TCP.toString(), "-H",
                    broker.getHostString(), "-p", Integer.toString(broker.getPort()), "-t", "2"), null, null, null, null));
        }
        ServiceConfig brokerService = new ServiceConfig("broker", brokerProbes,
                List.of(new ThresholdConfig("tcp.connect_ms", null, 100.0, 500.0, 50.0, null, "2 of 3")), List.of());
        ServiceConfig self = new ServiceConfig("d2r2-demo", List.of(new ProbeConfig("process", null,
                Long.toString(ProcessHandle.current().pid()), every, null, null, null, null, null, null)),
                List.of(new ThresholdConfig("process.cpu_percent", null, 80.0, 95.0, null, null, "3 of 5")), List.of());
        return new MonitorConfig("samples", "alarms", Duration.ofSeconds(60), null, null, List.of(brokerService, self));
    }

    private static String value(Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format("%.3f", d);
        }
        return String.valueOf(v);
    }

    private static void print(Delivery d, AtomicLong printed) {
        try {
            Event e = d.event();
            String what = e.isState() ? (e.from() == null ? "?" : e.from()) + " -> " + e.to()
                    : e.attrs().containsKey("chronicle") ? "ALERT from chronicle " + e.attrs().get("chronicle")
                    : value(e.attrs().get("value"));
            System.out.printf("%s  %-8s #%-4d %-22s %-10s %s%n", HMS.format(Instant.ofEpochMilli(e.time())), d.channel(),
                    d.offset(), e.type(), e.source(), what);
            printed.incrementAndGet();
        } catch (EventFormatException ex) {
            System.out.println("undecodable event on " + d.channel() + ": " + ex.getMessage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
