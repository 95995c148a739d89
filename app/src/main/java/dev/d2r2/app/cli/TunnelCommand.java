package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Durations;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.HostPort;
import dev.d2r2.tunnel.node.DnfdNode;
import dev.d2r2.tunnel.node.EsrNode;
import dev.d2r2.tunnel.node.RunningNode;
import dev.d2r2.tunnel.node.TunnelNode;
import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.wire.TunnelKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * {@code d2r2 tunnel keygen|pubkey|en|dn|dnfd|esr|echo|probe}: resilient tunnels (docs/tunnels.md). en and dn run
 * (and dnfd) until stopped, printing their events as JSON lines and publishing them with --channel; echo and
 * probe are the sequence-numbered UDP stream the tests and bench/tunnel.sh measure loss with.
 */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
        description = "Resilient tunnels: an encapsulation node (EN) that fails over between decapsulation nodes (DNs).",
        subcommands = {TunnelCommand.Keygen.class, TunnelCommand.Pubkey.class, TunnelCommand.En.class, TunnelCommand.Dn.class, TunnelCommand.Dnfd.class, TunnelCommand.Esr.class,
                TunnelCommand.Echo.class, TunnelCommand.Probe.class, TunnelMhCommand.class})
public final class TunnelCommand extends CommandGroup {

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = "Write a new tunnel master key (every EN and DN of one service needs the same) to FILE, owner-only.")
    static final class Keygen implements Callable<Integer> {
        @Parameters(paramLabel = "FILE") Path file;

        @Override
        public Integer call() throws IOException {
            TunnelKey.generate(file);
            System.out.println("wrote " + file);
            return 0;
        }
    }

    @Command(name = "pubkey", mixinStandardHelpOptions = true,
            description = "Print the tunnel public key of a d2r2 identity (64 hex digits): what its peers list as public-key.")
    static final class Pubkey implements Callable<Integer> {
        @Option(names = "--identity", required = true, paramLabel = "FILE", description = "The node's identity file (d2r2 identity create)")
        Path identity;

        @Override
        public Integer call() throws IOException {
            System.out.println(TunnelNode.publicKey(identity));
            return 0;
        }
    }

    abstract static class Role implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The role's YAML configuration") Path config;
        @Option(names = "--channel", paramLabel = "TAG", description = "Also publish the events on this broker channel") String channel;
        @Mixin ClientOptions client;

        abstract RunningNode start(Consumer<Event> events) throws Exception;

        /** Whether the role reads from the broker, not only publishes to it. */
        boolean reads() {
            return false;
        }

        /** The role's subscriptions, once it runs. */
        List<Subscription> subscribe(BrokerClient broker, RunningNode node) {
            return List.of();
        }

        @Override
        public Integer call() throws Exception {
            BrokerClient broker = channel == null && !reads() ? null : client.connect();
            Publisher publisher = channel == null ? null : broker.publisher(channel);
            RunningNode node = start(e -> {
                System.out.println(EventCodec.encodeToString(e));
                System.out.flush();
                if (publisher != null) {
                    publisher.publish(e);
                }
            });
            List<Subscription> subscriptions = broker == null ? List.of() : subscribe(broker, node);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                subscriptions.forEach(Subscription::close);
                try {
                    node.close();
                } catch (Exception e) {
                    System.err.println("closing the tunnel node: " + e);
                }
                if (broker != null) {
                    if (publisher != null) {
                        publisher.close();
                    }
                    broker.close();
                }
                stopped.countDown();
            }, "d2r2-tunnel-shutdown"));
            System.err.println("tunnel port " + text(node.address()));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "en", mixinStandardHelpOptions = true,
            description = "Run an encapsulation node: a TUN device whose traffic goes through the first live DN of its list.")
    static final class En extends Role {
        @Option(names = "--trust-from", paramLabel = "TAG", split = ",",
                description = "Broker channels whose diagnosis and policy events change trust in the DNs and uplinks (e.g. diagnosis,actions)")
        List<String> trustFrom;

        @Override
        TunnelNode start(Consumer<Event> events) throws Exception {
            return TunnelNode.startEn(config, Clock.system(), events);
        }

        @Override
        boolean reads() {
            return trustFrom != null && !trustFrom.isEmpty();
        }

        @Override
        List<Subscription> subscribe(BrokerClient broker, RunningNode node) {
            return trustFrom.stream()
                    .map(tag -> broker.subscribe(tag, StartPosition.live(), new TrustFeed(((TunnelNode) node)::trust)))
                    .toList();
        }
    }

    @Command(name = "dn", mixinStandardHelpOptions = true,
            description = "Run a decapsulation node: assigns EN addresses from its pool, carries the ENs that send through it.")
    static final class Dn extends Role {
        @Override
        TunnelNode start(Consumer<Event> events) throws Exception {
            return TunnelNode.startDn(config, Clock.system(), events);
        }
    }

    @Command(name = "dnfd", mixinStandardHelpOptions = true,
            description = "Run a DN failure detector: watches DNs by BFD and by probes through their data path, "
                    + "and publishes tunnel.dn.suspected (fencing is the policy engine's decision).")
    static final class Dnfd extends Role {
        @Override
        RunningNode start(Consumer<Event> events) throws Exception {
            return DnfdNode.start(config, Clock.system(), events);
        }
    }

    @Command(name = "esr", mixinStandardHelpOptions = true,
            description = "Run an edge service router: takes the DNs' reports of the ENs they carry and routes each EN's "
                    + "address through the DN that carries it (ip route, in this namespace).")
    static final class Esr extends Role {
        @Option(names = "--map-from", paramLabel = "TAG",
                description = "Also build the EN-to-DN map from the DNs' tunnel.dn.map events on this persistent channel, replayed "
                        + "from the start of its log (each taken only from the broker identity of the DN it names)")
        String mapFrom;

        @Override
        RunningNode start(Consumer<Event> events) throws Exception {
            return EsrNode.start(config, Clock.system(), events);
        }

        @Override
        boolean reads() {
            return mapFrom != null;
        }

        @Override
        List<Subscription> subscribe(BrokerClient broker, RunningNode node) {
            if (mapFrom == null) {
                return List.of();
            }
            return List.of(broker.subscribe(mapFrom, StartPosition.fromOffset(0), new MapFeed((EsrNode) node, mapFrom)));
        }
    }

    /** Hands the ESR every event of its map channel with the identity that published it; says when events were lost. */
    private record MapFeed(EsrNode esr, String tag) implements DeliveryHandler {
        @Override
        public void onEvent(Delivery d) {
            try {
                esr.map(d.publisher(), d.event());
            } catch (EventFormatException e) {
                esr.mapUnreadable(d.channel() + "@" + d.offset() + ": " + e.getMessage());
            }
        }

        @Override
        public void onMissing(MissingNotice notice) {
            System.err.println("map channel " + tag + ": " + notice.count() + " events lost from offset " + notice.fromOffset()
                    + "; each DN's next change corrects its entry");
        }

        @Override
        public void onClosed(BrokerException cause) {
            System.err.println("map channel " + tag + ": subscription ended: " + (cause == null ? "closed" : cause.getMessage()));
        }
    }

    @Command(name = "echo", mixinStandardHelpOptions = true, description = "Echo UDP datagrams back to their senders (the far end of probe).")
    static final class Echo implements Callable<Integer> {
        @Option(names = "--listen", required = true, paramLabel = "HOST:PORT") String listen;
        @Option(names = "--for", paramLabel = "DURATION", description = "Stop after (default ${DEFAULT-VALUE})") String duration = "1h";

        @Override
        public Integer call() throws Exception {
            try (EchoServer echo = EchoServer.start(HostPort.parse(listen))) {
                System.err.println("echoing on " + text(echo.address()));
                LockSupport.parkNanos(Durations.parse(duration).toNanos());
            }
            return 0;
        }
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Send COUNT sequence-numbered datagrams at RATE per second to an echo server (SIGTERM ends early); "
                    + "print each run of lost ones as 'gap FIRST LENGTH' (at RATE/s, LENGTH/RATE seconds of loss), then a summary.")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "HOST:PORT") String to;
        @Option(names = "--rate", paramLabel = "N", description = "Datagrams per second (default ${DEFAULT-VALUE})") int rate = 1000;
        @Option(names = "--count", paramLabel = "N", description = "Datagrams in all (default ${DEFAULT-VALUE})") long count = 10_000;
        @Option(names = "--linger", paramLabel = "DURATION", description = "Wait for late echoes (default ${DEFAULT-VALUE})") String linger = "500ms";

        @Override
        public Integer call() throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch reported = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.set(true);
                try {
                    reported.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "d2r2-probe-stop"));
            try (SeqProbe probe = SeqProbe.start(HostPort.parse(to), rate, count)) {
                while (probe.startedAtMillis() == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
                System.out.println("start " + probe.startedAtMillis() + " rate " + rate);
                System.out.flush();
                while (!probe.done() && !stop.get()) {
                    LockSupport.parkNanos(10_000_000);
                }
                LockSupport.parkNanos(Durations.parse(linger).toNanos());
                for (SeqProbe.Gap g : probe.gaps(probe.sent())) {
                    System.out.println("gap " + g.first() + " " + g.length());
                }
                System.out.println("sent " + probe.sent() + " received " + probe.received());
                System.out.flush();
                return probe.received() == 0 ? CliErrors.RUNTIME_FAILURE : 0;
            } finally {
                reported.countDown();
            }
        }
    }

    private static String text(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
