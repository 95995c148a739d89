package dev.d2r2.app.cli;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.core.Clock;
import dev.d2r2.core.EventCodec;
import dev.d2r2.tunnel.path.MhNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code d2r2 tunnel mh --config F}: a multihomed endpoint (docs/tunnels.md, "Multihoming"). Prints
 * its events as JSON lines, publishes them with --channel, and takes trust changes from the
 * channels given with --trust-from (diagnosis indictments and clearances, policy decisions of
 * actuator tunnel-path, op distrust).
 */
@Command(name = "mh", mixinStandardHelpOptions = true,
        description = "Run a multihomed endpoint: reaches its peer over several paths, probes and scores them, switches with hysteresis.")
final class TunnelMhCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The endpoint's YAML configuration") Path config;
    @Option(names = "--channel", paramLabel = "TAG", description = "Also publish the events on this broker channel") String channel;
    @Option(names = "--trust-from", paramLabel = "TAG", split = ",",
            description = "Broker channels whose diagnosis and policy events change trust (e.g. diagnosis,actions)") List<String> trustFrom;
    @Mixin ClientOptions client;

    @Override
    public Integer call() throws Exception {
        boolean needsBroker = channel != null || trustFrom != null && !trustFrom.isEmpty();
        BrokerClient broker = needsBroker ? client.connect() : null;
        Publisher publisher = channel == null ? null : broker.publisher(channel);
        MhNode node = MhNode.start(config, Clock.system(), e -> {
            System.out.println(EventCodec.encodeToString(e));
            System.out.flush();
            if (publisher != null) {
                publisher.publish(e);
            }
        });
        List<Subscription> feeds = new ArrayList<>();
        if (trustFrom != null) {
            for (String tag : trustFrom) {
                feeds.add(broker.subscribe(tag, StartPosition.live(), new TrustFeed(node::trust)));
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            feeds.forEach(Subscription::close);
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("closing the endpoint: " + e);
            }
            if (broker != null) {
                if (publisher != null) {
                    publisher.close();
                }
                broker.close();
            }
            stopped.countDown();
        }, "d2r2-tunnel-mh-shutdown"));
        System.err.println("application port " + node.appAddress().getPort());
        stopped.await();
        return 0;
    }
}
