package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.config.ConfigException;
import dev.d2r2.migrate.takeover.IpServiceAddress;
import dev.d2r2.migrate.takeover.TakeoverConfig;
import dev.d2r2.migrate.takeover.TakeoverNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
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
        byte[] key = readKey(config.toAbsolutePath().getParent().resolve(c.keyFile()));
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

    private static byte[] readKey(Path file) throws ConfigException {
        try {
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (hex.length() != 64) {
                throw new ConfigException(file + ":1:1: the group key must be 64 hex digits (openssl rand -hex 32), not "
                        + hex.length() + " characters");
            }
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ":1:1: the group key must be 64 hex digits: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the group key: " + e.getMessage());
        }
    }
}
