package dev.d2r2.bft.net;

import dev.d2r2.bft.Block;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.cluster.config.ClusterFile;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One replica in a process of its own, for the networked tests: {@code CLUSTER-FILE NAME KEY-FILE
 * TIMEOUT-MS STATE-DIR RETAINED-HEIGHTS}. Reads commands on stdin ({@code submit TEXT},
 * {@code fault MODE}, {@code status}) and prints {@code READY}, then
 * {@code DECIDED height view proposer hash cmd,cmd,...} per decided block and {@code STATUS ...}
 * when asked. Its safety state, progress and application ({@link FileApplication}: the commands
 * taken, in order) live in STATE-DIR, so a killed process started again resumes.
 */
public final class BftNodeProcess {
    private BftNodeProcess() {
    }

    public static void main(String[] args) throws Exception {
        ClusterFile cluster = ClusterFile.load(Path.of(args[0]));
        String name = args[1];
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(Path.of(args[2])).strip())));
        Path state = Path.of(args[4]);
        BftNode.Settings settings = new BftNode.Settings(Duration.ofMillis(Long.parseLong(args[3])),
                new ReplicaConfig(100, 10_000, Integer.parseInt(args[5])), CodecLimits.DEFAULTS)
                .withSafetyFile(state.resolve(name + ".bft-state"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int self = cluster.replicas().indexOf(cluster.replica(name).orElseThrow());
        List<PublicKey> keys = cluster.replicas().stream().map(dev.d2r2.cluster.config.Replica::signingKey).toList();
        ByzantineOutbox[] fault = new ByzantineOutbox[1];
        FileApplication application = new FileApplication(state.resolve(name + ".app"),
                (b, commands) -> out.println(line(b, commands)));
        BftNode node = BftNode.open(cluster, name, key, settings, application, real -> {
            fault[0] = new ByzantineOutbox(self, keys.size(), real, new Ed25519Signatures(key, keys));
            return fault[0];
        }).start();
        out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("submit ")) {
                node.submit(line.substring(7).getBytes(StandardCharsets.UTF_8));
            } else if (line.startsWith("fault ")) {
                fault[0].mode = ByzantineOutbox.Mode.valueOf(line.substring(6).strip());
            } else if (line.equals("status")) {
                BftNode.Status s = node.status(Duration.ofSeconds(10));
                out.println("STATUS view=" + s.view() + " height=" + s.height() + " badFrames=" + s.badFrames()
                        + " installed=" + s.installedCheckpoints() + " " + application.describe()
                        + " rejections=" + s.rejections());
            }
        }
        node.close();
    }

    private static String line(Block b, List<byte[]> commands) {
        return "DECIDED " + b.height() + " " + b.view() + " " + b.proposer() + " " + b.hash() + " "
                + commands.stream().map(c -> new String(c, StandardCharsets.UTF_8)).collect(Collectors.joining(","));
    }
}
