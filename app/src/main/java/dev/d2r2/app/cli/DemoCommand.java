package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
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
import dev.d2r2.core.nagios.NagiosPlugin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code d2r2 demo}: what runs of d2r2 today, for real, in one process. A broker with a TLS
 * listener; a probe that measures the broker's TCP connect time, this host's load and (when
 * Debian's monitoring-plugins are installed) runs {@code check_tcp} against the broker; the
 * chronicle role on the samples and alarms, publishing alerts; and a console that subscribes
 * over the network and prints the events as they arrive.
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
                     Publisher samplesOut = probe.publisher("samples");
                     Publisher alarmsOut = probe.publisher("alarms")) {
                    runProbes(server.address(), samplesOut, alarmsOut, runFor, every);
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

    private static void runProbes(InetSocketAddress target, Publisher samples, Publisher alarms, Duration runFor,
                                  Duration every) {
        long end = System.nanoTime() + runFor.toNanos();
        long next = System.nanoTime();
        String loadState = null;
        String tcpState = null;
        while (System.nanoTime() < end) {
            long now = System.currentTimeMillis();
            double connectMs = connectMillis(target);
            samples.publish(connectMs < 0 ? Event.message("tcp.connect_failed", now, "broker", Map.of())
                    : Event.message("tcp.connect_ms", now, "broker", Map.of("value", connectMs)));
            double load = loadAverage();
            samples.publish(Event.message("host.load1", now, "localhost", Map.of("value", load)));
            String state = load >= 2 * Runtime.getRuntime().availableProcessors() ? "critical"
                    : load >= Runtime.getRuntime().availableProcessors() ? "warning" : "ok";
            if (!state.equals(loadState)) {
                alarms.publish(Event.state("host.load1", now, "localhost", loadState, state, Map.of("value", load)));
                loadState = state;
            }
            if (Files.isExecutable(CHECK_TCP)) {
                Event e = NagiosPlugin.run(List.of(CHECK_TCP.toString(), "-H", target.getHostString(), "-p",
                        Integer.toString(target.getPort()), "-t", "2"), Duration.ofSeconds(3))
                        .toEvent("nagios.check_tcp", "broker", tcpState, now);
                if (!e.to().equals(tcpState)) {
                    alarms.publish(e);
                    tcpState = e.to();
                }
            }
            next += every.toNanos();
            LockSupport.parkNanos(Math.min(next, end) - System.nanoTime());
        }
    }

    private static double connectMillis(InetSocketAddress target) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(target, 1000);
            return Math.round((System.nanoTime() - t0) / 10_000.0) / 100.0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void print(Delivery d, AtomicLong printed) {
        try {
            Event e = d.event();
            String what = e.isState() ? (e.from() == null ? "?" : e.from()) + " -> " + e.to()
                    : e.attrs().containsKey("chronicle") ? "ALERT from chronicle " + e.attrs().get("chronicle")
                    : String.valueOf(e.attrs().get("value"));
            System.out.printf("%s  %-8s #%-4d %-18s %-10s %s%n", HMS.format(Instant.ofEpochMilli(e.time())), d.channel(),
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
