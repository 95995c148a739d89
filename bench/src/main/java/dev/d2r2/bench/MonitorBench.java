package dev.d2r2.bench;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How many probe targets one monitoring peer sustains at a 1 s interval, and its CPU share:
 * {@code d2r2 monitor} in its own process (as users run it), {@code tcp} probes with a threshold
 * each, samples and alarms published over TLS to a broker in this JVM. The targets are cheap
 * local listeners (one selector thread accepting and closing on 100 loopback ports): a real
 * service per target would be the bottleneck long before the peer.
 */
@Command(name = "monitor-bench", mixinStandardHelpOptions = true)
public final class MonitorBench implements Callable<Integer> {
    @Option(names = "--targets", split = ",", defaultValue = "1000,2500,5000,10000") List<Integer> counts;
    @Option(names = "--kinds", split = ",", defaultValue = "sip-options,tcp", description = "Probe kinds to measure") List<String> kinds;
    @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds per run (after a warm-up of 10 s)") int seconds;
    @Option(names = "--out", defaultValue = "bench/results/monitor-latest.md") Path out;

    private static final int PORTS = 100;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MonitorBench()).execute(args));
    }

    record Row(String kind, int targets, double samplesPerSecond, double cpuShare) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-monitor-bench");
        List<Row> rows = new ArrayList<>();
        try (Listeners listeners = new Listeners(PORTS);
             Broker broker = Broker.open(work.resolve("broker"), Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0))) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "alarms")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            AtomicLong samples = new AtomicLong();
            try (Subscription s = admin.subscribe("metrics", StartPosition.live(), d -> samples.incrementAndGet())) {
                for (String kind : kinds) {
                    for (int n : counts) {
                        rows.add(measure(kind, n, work, listeners, broker, samples));
                    }
                }
            }
        }
        String report = report(rows);
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        return 0;
    }

    private Row measure(String kind, int n, Path work, Listeners listeners, Broker broker, AtomicLong samples) throws Exception {
        Path config = work.resolve("monitor-" + kind + "-" + n + ".yaml");
        StringBuilder yaml = new StringBuilder("services:\n");
        String metric = kind.equals("tcp") ? "tcp.connect_ms" : "sip.rtt_ms";
        for (int i = 0; i < n; i++) {
            String target = kind.equals("tcp") ? "127.0.0.1:" + listeners.port(i) : "127.0.0.1:" + listeners.sipPort();
            yaml.append("  - name: t").append(i).append("\n    probes: [{kind: ").append(kind).append(", target: \"")
                    .append(target).append("\", interval: 1s, timeout: 500ms}]\n")
                    .append("    thresholds: [{metric: ").append(metric).append(", warning: 100, critical: 500}]\n");
        }
        Files.writeString(config, yaml);
        try (ServerProcess monitor = new ServerProcess(ServerProcess.d2r2("monitor", "--config", config.toString(),
                "--identity", broker.adminIdentityPath().toString()), work.resolve("monitor-" + kind + "-" + n + ".log"))) {
            LockSupport.parkNanos(10_000_000_000L);
            long s0 = samples.get();
            double cpu0 = monitor.cpuSeconds();
            long t0 = System.nanoTime();
            LockSupport.parkNanos(seconds * 1_000_000_000L);
            double wall = (System.nanoTime() - t0) / 1e9;
            // Each probe run publishes one sample (tcp: connect_ms; sip-options: code and rtt_ms).
            double perRun = kind.equals("tcp") ? 1 : 2;
            Row r = new Row(kind, n, (samples.get() - s0) / wall / perRun, (monitor.cpuSeconds() - cpu0) / wall);
            System.out.printf("%-11s %,6d targets: %,8.0f probe runs/s (%.1f%% of due), CPU %.1f%% of one core%n", kind, n,
                    r.samplesPerSecond, 100 * r.samplesPerSecond / n, 100 * r.cpuShare);
            return r;
        }
    }

    private static String report(List<Row> rows) {
        StringBuilder b = new StringBuilder("# Monitor benchmark, " + LocalDate.now() + "\n\n")
                .append("One `d2r2 monitor` process (").append(Runtime.getRuntime().availableProcessors())
                .append(" cores), probes at a 1 s interval with a threshold each, samples and alarms published over TLS to a ")
                .append("broker in the benchmark JVM. Targets are cheap local stand-ins (a real service per target would be the ")
                .append("bottleneck first): for `tcp`, listeners that accept and close on 100 loopback ports; for `sip-options` ")
                .append("(UDP), one responder answering every OPTIONS with 200 OK. CPU is the peer process's, user and system.\n\n")
                .append("| probe | targets | probe runs/s | of due | peer CPU, % of one core |\n|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format("| %s | %,d | %,.0f | %.1f %% | %.1f %% |%n", r.kind, r.targets, r.samplesPerSecond,
                    100 * r.samplesPerSecond / r.targets, 100 * r.cpuShare));
        }
        return b.toString();
    }

    /** Loopback listeners that accept every connection and close it, on one selector thread. */
    private static final class Listeners implements AutoCloseable {
        private final Selector selector = Selector.open();
        private final List<ServerSocketChannel> channels = new ArrayList<>();
        private final java.nio.channels.DatagramChannel sip;
        private final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(65_536);
        private final Thread thread;
        private volatile boolean running = true;

        Listeners(int ports) throws IOException {
            for (int i = 0; i < ports; i++) {
                ServerSocketChannel c = ServerSocketChannel.open();
                c.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_ACCEPT);
                channels.add(c);
            }
            sip = java.nio.channels.DatagramChannel.open();
            sip.bind(new InetSocketAddress("127.0.0.1", 0));
            sip.configureBlocking(false);
            sip.register(selector, SelectionKey.OP_READ);
            thread = Thread.ofPlatform().daemon().name("bench-targets").start(this::loop);
        }

        int sipPort() {
            return sip.socket().getLocalPort();
        }

        /** Answers an OPTIONS with 200 OK, echoing the headers a client matches on. */
        private void answer() throws IOException {
            java.net.SocketAddress from;
            while (true) {
                buf.clear();
                from = sip.receive(buf);
                if (from == null) {
                    return;
                }
                String request = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
                StringBuilder response = new StringBuilder("SIP/2.0 200 OK\r\n");
                for (String line : request.split("\r\n")) {
                    if (line.startsWith("Via:") || line.startsWith("From:") || line.startsWith("Call-ID:") || line.startsWith("CSeq:")) {
                        response.append(line).append("\r\n");
                    } else if (line.startsWith("To:")) {
                        response.append(line).append(";tag=bench\r\n");
                    }
                }
                response.append("Content-Length: 0\r\n\r\n");
                sip.send(java.nio.ByteBuffer.wrap(response.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), from);
            }
        }

        int port(int target) {
            return channels.get(target % channels.size()).socket().getLocalPort();
        }

        private void loop() {
            try {
                while (running) {
                    selector.select(100);
                    for (SelectionKey k : selector.selectedKeys()) {
                        if (k.channel() == sip) {
                            answer();
                            continue;
                        }
                        SocketChannel c;
                        while ((c = ((ServerSocketChannel) k.channel()).accept()) != null) {
                            c.close();
                        }
                    }
                    selector.selectedKeys().clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            running = false;
            thread.join();
            for (ServerSocketChannel c : channels) {
                c.close();
            }
            sip.close();
            selector.close();
        }
    }
}
