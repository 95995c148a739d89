package dev.d2r2.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.bft.Block;
import dev.d2r2.bft.BlockHash;
import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.app.bft.ReplicaKey;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;
import dev.d2r2.core.Durations;
import dev.d2r2.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/** {@code d2r2 bft node}: one replica of a Byzantine (HotStuff) cluster as a process. */
@Command(name = "bft", mixinStandardHelpOptions = true,
        description = "Byzantine-fault-tolerant ordering (basic HotStuff, n = 3f + 1 replicas).",
        subcommands = {BftCommand.Node.class})
public final class BftCommand extends CommandGroup {

    @Command(name = "node", mixinStandardHelpOptions = true,
            description = "Run replica NAME of the cluster file: each line on stdin is a command to order; each decided"
                    + " block is printed on stdout as one JSON line, in height order.")
    static final class Node implements Callable<Integer> {
        @Option(names = "--cluster", required = true, paramLabel = "FILE",
                description = "Cluster file: f and the n = 3f + 1 replicas (name, address to listen on for peers, publicKey)")
        Path cluster;

        @Option(names = "--id", required = true, paramLabel = "NAME", description = "This replica's name in the cluster file")
        String id;

        @Option(names = "--identity", required = true, paramLabel = "FILE",
                description = "Identity file whose signing key pairs with this replica's publicKey in the cluster file")
        Path identity;

        @Option(names = "--view-timeout", paramLabel = "DURATION", description = "A view's first timeout (default: ${DEFAULT-VALUE})")
        String viewTimeout = "1s";

        @Option(names = "--state", paramLabel = "FILE",
                description = "Where the replica keeps its votes and lock across restarts (default: NAME.bft-state beside"
                        + " the cluster file)")
        Path state;

        @Option(names = "--batch", paramLabel = "N",
                description = "Commands per block (default: ${DEFAULT-VALUE}); the same on every replica")
        int batch = ReplicaConfig.DEFAULTS.maxBatchCommands();

        @Override
        public Integer call() throws IOException, ConfigException, InterruptedException {
            ClusterFile file = ClusterFile.load(cluster);
            List<Replica> replicas = file.replicas();
            PrivateKey key = ReplicaKey.load(cluster, file, id, identity);
            Replica me = file.replica(id).orElseThrow();
            BftNode.Settings settings = new BftNode.Settings(Durations.parse(viewTimeout),
                    new ReplicaConfig(batch, ReplicaConfig.DEFAULTS.maxPendingCommands(), ReplicaConfig.DEFAULTS.retainedHeights()),
                    CodecLimits.DEFAULTS).withSafetyFile(state != null ? state : BftNode.defaultSafetyFile(cluster, id));
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            List<String> names = replicas.stream().map(Replica::name).toList();
            BftNode node = BftNode.open(file, id, key, settings, (b, commands) -> out.println(line(b, commands, names)),
                    UnaryOperator.identity()).start();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stopped.countDown();
            }, "d2r2-bft-shutdown"));
            System.err.printf("d2r2 bft node %s (%d of n = %d, f = %d) listening for its peers on %s; commands from stdin%n",
                    id, names.indexOf(id), names.size(), file.f(), me.address());
            readCommands(node);
            stopped.await();
            return 0;
        }

        /** Submits each non-empty line; a full inbox is waited out. At the end of stdin the node keeps running. */
        private static void readCommands(BftNode node) throws IOException, InterruptedException {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                byte[] command = line.getBytes(StandardCharsets.UTF_8);
                while (!node.submit(command)) {
                    Thread.sleep(10);
                }
            }
        }

        private static final ObjectMapper JSON = new ObjectMapper();

        static String line(Block b, List<byte[]> decided, List<String> names) {
            ObjectNode n = JSON.createObjectNode();
            n.put("height", b.height());
            n.put("view", b.view());
            n.put("proposer", names.get(b.proposer()));
            byte[] hash = new byte[BlockHash.BYTES];
            b.hash().copyTo(hash, 0);
            n.put("hash", HexFormat.of().formatHex(hash));
            var commands = n.putArray("commands");
            decided.forEach(c -> commands.add(new String(c, StandardCharsets.UTF_8)));
            return n.toString();
        }
    }
}
