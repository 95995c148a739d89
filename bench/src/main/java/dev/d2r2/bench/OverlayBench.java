package dev.d2r2.bench;

import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.kad.KadNode;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.Results.LookupResult;
import dev.d2r2.overlay.sim.SimLookups;
import dev.d2r2.overlay.sim.SimNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The DHT's lookups on simulated overlays (virtual time, 5–50 ms latency, datagram loss): for each
 * size, the share of lookups that found the closest live node, the share of the k closest found,
 * hops and queries per lookup — on the grown overlay, then after a fraction left and as many
 * joined.
 */
@Command(name = "overlay-bench", mixinStandardHelpOptions = true)
public final class OverlayBench implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "200,1000", split = ",", description = "Overlay sizes") List<Integer> sizes;
    @Option(names = "--lookups", defaultValue = "500", description = "Lookups per measurement") int lookups;
    @Option(names = "--churn", defaultValue = "0.2", description = "Fraction that leaves (and as many join)") double churn;
    @Option(names = "--loss", defaultValue = "0.01", description = "Datagram loss probability") double loss;
    @Option(names = "--seed", defaultValue = "1") long seed;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OverlayBench()).execute(args));
    }

    @Override
    public Integer call() {
        System.out.printf("%-6s %-12s %8s %9s %6s %8s%n", "nodes", "phase", "closest", "k-closest", "hops", "queries");
        for (int n : sizes) {
            SimNetwork net = new SimNetwork(KadConfig.defaults(), seed, loss);
            SimLookups.grow(net, n);
            measure(net, n, "grown");
            List<KadNode> live = net.live();
            int leaving = (int) Math.round(n * churn);
            for (int i = 0; i < leaving; i++) {
                net.leave(live.remove(net.random.nextInt(live.size())));
            }
            for (int i = 0; i < leaving; i++) {
                net.join();
                net.runFor(Duration.ofMillis(200));
            }
            net.runFor(Duration.ofSeconds(30));
            measure(net, n, "after churn");
        }
        return 0;
    }

    private void measure(SimNetwork net, int n, String phase) {
        int closest = 0;
        long found = 0;
        long wanted = 0;
        long hops = 0;
        long queries = 0;
        for (int i = 0; i < lookups; i++) {
            KadNode from = net.random();
            NodeId target = NodeId.random(net.random);
            LookupResult r = SimLookups.lookup(net, from, target);
            List<NodeId> truth = net.trueClosest(target, KadConfig.defaults().k(), from);
            Set<NodeId> got = new HashSet<>();
            r.closest().forEach(c -> got.add(c.id()));
            found += truth.stream().filter(got::contains).count();
            wanted += truth.size();
            if (!r.closest().isEmpty() && r.closest().getFirst().id().equals(truth.getFirst())) {
                closest++;
            }
            hops += r.hops();
            queries += r.queries();
        }
        System.out.printf("%-6d %-12s %7.1f%% %8.1f%% %6.2f %8.1f%n", n, phase, 100.0 * closest / lookups, 100.0 * found / wanted,
                (double) hops / lookups, (double) queries / lookups);
    }
}
