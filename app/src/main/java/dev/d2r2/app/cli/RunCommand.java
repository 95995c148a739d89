package dev.d2r2.app.cli;

import dev.d2r2.app.node.Node;
import dev.d2r2.app.node.NodeConfig;
import dev.d2r2.core.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code d2r2 run --config F}: any set of roles in one process. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the roles of a configuration in this process (broker, monitor, chronicles, policy, lb, sip-servers,"
                + " dashboard), on an embedded broker or a remote one. Everything is checked before anything starts.")
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The node's YAML configuration")
    Path config;

    @Option(names = "--check", description = "Check the configuration, its chronicles and its policy, and exit (0 or 2)")
    boolean check;

    @Override
    public Integer call() throws Exception {
        NodeConfig c = ConfigLoader.load(config, NodeConfig.class);
        Path base = config.toAbsolutePath().getParent();
        Node.Checked checked = Node.check(c, base);
        if (check) {
            System.out.println(config + ": ok");
            return 0;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (Node node = Node.start(checked, e -> System.err.println(c.name() + ": backend " + e.backend().id() + " " + e.state()
                + " (" + e.why() + ")"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopped.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "d2r2-run-shutdown"));
            node.describe().forEach(line -> System.err.println(c.name() + ": " + line));
            stopped.await();
            System.err.println(c.name() + ": stopping");
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
