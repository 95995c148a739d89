package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.p2psip.ua.HopDirectory;
import dev.d2r2.p2psip.ua.PeerNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code d2r2 p2psip peer}: Pr2-P2PSIP peers (a storage-overlay node and a tunnel relay each) in this
 * process, listed in a shared hop directory for user agents and other peer processes
 * (docs/p2psip.md, "Across processes").
 */
@Command(name = "peer", mixinStandardHelpOptions = true,
        description = "Run --peers Pr2-P2PSIP peers until stopped, joining the storage overlay through the peers listed in --pool "
                + "and listing their own there.")
final class P2psipPeerCommand implements Callable<Integer> {
    @Option(names = "--pool", required = true, paramLabel = "DIR", description = "The shared hop directory") Path pool;

    @Option(names = "--network-key", required = true, paramLabel = "FILE", description = "The storage overlay's key (d2r2 overlay keygen)")
    Path networkKey;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "This process's file in --pool (NAME.hops)") String name;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address the peers bind (default ${DEFAULT-VALUE})") String host = "127.0.0.1";

    @Option(names = "--peers", paramLabel = "N", description = "Peers in this process (default ${DEFAULT-VALUE})") int peers = 1;

    @Override
    public Integer call() throws Exception {
        if (peers < 1 || peers > 64) {
            throw new IllegalArgumentException("--peers: 1–64, not " + peers);
        }
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("--name: letters, digits, '-' and '_', not " + name);
        }
        HopDirectory directory = new HopDirectory(pool);
        try (PeerNetwork network = PeerNetwork.start(peers, InetAddress.getByName(host), KeyFiles.readNetworkKey(networkKey),
                directory.storageNodes(), Clock.system())) {
            network.awaitJoined(Math.min(peers - 1, 1), Duration.ofSeconds(30));
            directory.publish(name, network.peers());
            System.out.println("p2psip peer " + name + ": " + peers + " peers listed in " + pool.resolve(name + ".hops"));
            System.out.flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
