package dev.d2r2.app.cli;

import dev.d2r2.core.Clock;
import dev.d2r2.core.HostPort;
import dev.d2r2.overlay.node.KeyFiles;
import dev.d2r2.p2psip.auth.Certificate;
import dev.d2r2.p2psip.auth.CertificateVerifier;
import dev.d2r2.p2psip.overlay.ForwardingPeers;
import dev.d2r2.p2psip.ua.PeerNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code d2r2 p2psip peer}: Pr2-P2PSIP peers in this process, each a storage-overlay node and a tunnel
 * relay announced in the forwarding overlay under a forwarding pseudonym (docs/p2psip.md, "Across processes").
 */
@Command(name = "peer", mixinStandardHelpOptions = true,
        description = "Run --peers Pr2-P2PSIP peers until stopped: storage-overlay nodes and relays, each relay announced in the "
                + "forwarding overlay under a forwarding pseudonym of --pseudonyms.")
final class P2psipPeerCommand implements Callable<Integer> {
    @Option(names = "--network-key", required = true, paramLabel = "FILE", description = "The storage overlay's key (d2r2 overlay keygen)")
    Path networkKey;

    @Option(names = "--forwarding-key", required = true, paramLabel = "FILE", description = "The forwarding overlay's key (d2r2 overlay keygen)")
    Path forwardingKey;

    @Option(names = "--storage-seed", paramLabel = "HOST:PORT", description = "A storage-overlay node to join through (none: start it)")
    List<String> storageSeeds = new ArrayList<>();

    @Option(names = "--forwarding-seed", paramLabel = "HOST:PORT", description = "A forwarding-overlay node to join through (none: start it)")
    List<String> forwardingSeeds = new ArrayList<>();

    @Option(names = "--as-key", required = true, paramLabel = "HEX", description = "The authentication server's public key") String asKey;

    @Option(names = "--pseudonyms", required = true, paramLabel = "DIR",
            description = "forwarding-N.key and forwarding-N.cert for N = 1..--peers (d2r2 p2psip cert --kind FORWARDING --out DIR)")
    Path pseudonyms;

    @Option(names = "--name", paramLabel = "NAME", description = "This process's name in its first line (default ${DEFAULT-VALUE})")
    String name = "peer";

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address the peers bind (default ${DEFAULT-VALUE})") String host = "127.0.0.1";

    @Option(names = "--peers", paramLabel = "N", description = "Peers in this process (default ${DEFAULT-VALUE})") int peers = 1;

    @Override
    public Integer call() throws Exception {
        if (peers < 1 || peers > 64) {
            throw new IllegalArgumentException("--peers: 1–64, not " + peers);
        }
        CertificateVerifier verifier = new CertificateVerifier(KeyFiles.hex("--as-key", 1, 1, asKey, Certificate.KEY_BYTES), Clock.system());
        List<ForwardingPeers.Pseudonym> keys = new ArrayList<>();
        for (int i = 1; i <= peers; i++) {
            Path cert = pseudonyms.resolve("forwarding-" + i + ".cert");
            String hex = Files.readString(cert, StandardCharsets.US_ASCII).strip();
            if (!hex.matches("([0-9a-fA-F]{2})+")) {
                throw new IllegalArgumentException(cert + ":1:1: a certificate is one line of hex digits");
            }
            keys.add(new ForwardingPeers.Pseudonym(KeyFiles.readIdentity(pseudonyms.resolve("forwarding-" + i + ".key")),
                    HexFormat.of().parseHex(hex)));
        }
        InetAddress bind = InetAddress.getByName(host);
        try (PeerNetwork network = PeerNetwork.start(peers, bind, KeyFiles.readNetworkKey(networkKey), addresses(storageSeeds), Clock.system());
             ForwardingPeers forwarding = ForwardingPeers.start(network.hops(), keys, verifier, bind, KeyFiles.readNetworkKey(forwardingKey),
                     addresses(forwardingSeeds), Clock.system())) {
            network.awaitJoined(Math.min(peers - 1, 1), Duration.ofSeconds(30));
            forwarding.awaitJoined(Math.min(peers - 1, 1), Duration.ofSeconds(30));
            System.out.println("p2psip peer " + name + ": " + peers + " peers, storage " + text(network.peers().getFirst().storage().address())
                    + ", forwarding " + text(forwarding.nodes().getFirst().address()));
            System.out.flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }

    private static List<InetSocketAddress> addresses(List<String> seeds) {
        return seeds.stream().map(HostPort::parse).toList();
    }

    private static String text(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
