package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.config.ConfigException;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code MhMain CONFIG}: runs one multihomed endpoint until the process is stopped, printing its
 * events as JSON lines; the process the namespace test starts. {@code d2r2 tunnel mh} runs the
 * same endpoint with broker publishing and trust feeds on top.
 */
public final class MhMain {
    private MhMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: MhMain CONFIG");
            System.exit(2);
        }
        MhNode node;
        try {
            node = MhNode.start(Path.of(args[0]), Clock.system(), MhMain::print);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("ready " + node.appAddress().getPort());
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

    private static synchronized void print(Event e) {
        System.out.println(EventCodec.encodeToString(e));
        System.out.flush();
    }
}
