package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.config.ConfigException;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@code TunnelMain en|dn|dnfd|esr CONFIG}: runs one tunnel role until the process is stopped, printing
 * its events as JSON lines. The process the namespace tests start (and kill); {@code d2r2 tunnel}
 * runs the same nodes with broker publishing on top.
 */
public final class TunnelMain {
    private TunnelMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("en", "dn", "dnfd", "esr").contains(args[0])) {
            System.err.println("usage: TunnelMain en|dn|dnfd|esr CONFIG");
            System.exit(2);
        }
        Path config = Path.of(args[1]);
        serve(events -> {
            RunningNode node = switch (args[0]) {
                case "en" -> TunnelNode.startEn(config, Clock.system(), events);
                case "dn" -> TunnelNode.startDn(config, Clock.system(), events);
                case "esr" -> EsrNode.start(config, Clock.system(), events);
                default -> DnfdNode.start(config, Clock.system(), events);
            };
            return new Started(node, node.address().getPort());
        });
    }

    /** A node a main started, and the port it reports ready on. */
    public record Started(AutoCloseable node, int port) {
    }

    @FunctionalInterface
    public interface Starter {
        Started start(Consumer<Event> events) throws Exception;
    }

    /**
     * Starts a node that prints its events as JSON lines, says {@code ready PORT} on stdout and
     * runs until the JVM is stopped, closing the node then; a bad configuration exits with 2.
     */
    public static void serve(Starter starter) throws Exception {
        Started started;
        try {
            started = starter.start(TunnelMain::print);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("ready " + started.port());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.node().close();
            } catch (Exception e) {
                System.err.println("closing: " + e);
            }
            stopped.countDown();
        }));
        stopped.await();
    }

    private static synchronized void print(Event e) {
        System.out.println(EventCodec.encodeToString(e));
        System.out.flush();
    }
}
