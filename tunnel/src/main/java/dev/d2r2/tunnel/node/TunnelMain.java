package dev.d2r2.tunnel.node;

import dev.d2r2.core.Clock;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.config.ConfigException;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code TunnelMain en|dn|dnfd CONFIG}: runs one tunnel role until the process is stopped, printing
 * its events as JSON lines. The process the namespace tests start (and kill); {@code d2r2 tunnel}
 * runs the same nodes with broker publishing on top.
 */
public final class TunnelMain {
    private TunnelMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("en", "dn", "dnfd").contains(args[0])) {
            System.err.println("usage: TunnelMain en|dn|dnfd CONFIG");
            System.exit(2);
        }
        Path config = Path.of(args[1]);
        RunningNode node;
        try {
            node = switch (args[0]) {
                case "en" -> TunnelNode.startEn(config, Clock.system(), TunnelMain::print);
                case "dn" -> TunnelNode.startDn(config, Clock.system(), TunnelMain::print);
                default -> DnfdNode.start(config, Clock.system(), TunnelMain::print);
            };
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("ready " + node.address().getPort());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("closing: " + e);
            }
            stopped.countDown();
        }));
        stopped.await();
    }

    private static synchronized void print(dev.d2r2.core.Event e) {
        System.out.println(EventCodec.encodeToString(e));
        System.out.flush();
    }
}
