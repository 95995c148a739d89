package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.EventCodec;
import dev.d2r2.migrate.GroupKey;
import dev.d2r2.migrate.takeover.IpServiceAddress;
import dev.d2r2.migrate.takeover.TakeoverConfig;
import dev.d2r2.migrate.takeover.TakeoverNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 takeover}: one member of an IP takeover group (docs/migration.md). */
@Command(name = "takeover", mixinStandardHelpOptions = true,
        description = "Run one member of an IP takeover group: keepalives every period, the service address taken over"
                + " with gratuitous ARP when the holder falls silent, fenced by a majority and epochs. Prints its"
                + " takeover.address.* events on stdout.")
public final class TakeoverCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The member's YAML file")
    Path config;

    @Override
    public Integer call() throws Exception {
        TakeoverConfig c = TakeoverConfig.load(config);
        byte[] key = GroupKey.read(config.toAbsolutePath().getParent().resolve(c.keyFile()));
        CountDownLatch stopped = new CountDownLatch(1);
        IpServiceAddress service = c.role() == TakeoverConfig.Role.witness ? null : new IpServiceAddress(c.address(), c.iface());
        try (TakeoverNode node = new TakeoverNode(c, key, service, Clock.system(), change -> {
            System.out.println(EventCodec.encodeToString(change.toEvent()));
            System.out.flush();
        })) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.err.println("takeover: " + node.counters());
                stopped.countDown();
            }));
            node.start();
            System.err.println("takeover: " + c.name() + " (" + c.role() + ") on " + c.listen() + ", keepalives every "
                    + c.periodDuration().toMillis() + " ms, " + c.missCount() + " misses"
                    + (service != null ? ", address " + c.address() + " on " + c.iface() : ""));
            stopped.await();
        }
        return 0;
    }
}
