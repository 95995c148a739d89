package dev.d2r2.bench;

import dev.d2r2.bft.CodecLimits;
import dev.d2r2.bft.Ed25519Signatures;
import dev.d2r2.bft.ReplicaConfig;
import dev.d2r2.bft.Signatures;
import dev.d2r2.bft.net.BftNode;
import dev.d2r2.cluster.config.ClusterFile;
import dev.d2r2.cluster.config.Replica;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One replica process of {@link BftNetBench}'s {@code ordered} run: {@code CLUSTER NAME KEY-FILE
 * COMMANDS SIZE BATCH TIMEOUT-MS CRYPTO}. Prints {@code READY}, waits for {@code go} on stdin,
 * submits its share of the commands (its own, numbered, at most three batches in flight), and
 * prints {@code DONE decided seconds cpu-seconds} once it has decided every replica's commands.
 */
public final class BftNetNode {
    private BftNetNode() {
    }

    public static void main(String[] args) throws Exception {
        ClusterFile cluster = ClusterFile.load(Path.of(args[0]));
        String name = args[1];
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(Path.of(args[2])).strip())));
        long total = Long.parseLong(args[3]);
        int size = Integer.parseInt(args[4]);
        int batch = Integer.parseInt(args[5]);
        long timeoutMs = Long.parseLong(args[6]);
        boolean bouncyCastle = args[7].equals("bouncycastle");
        List<Replica> replicas = cluster.replicas();
        int n = replicas.size();
        int self = replicas.indexOf(cluster.replica(name).orElseThrow());
        List<PublicKey> keys = replicas.stream().map(Replica::signingKey).toList();
        List<InetSocketAddress> addresses = replicas.stream().map(Replica::socketAddress).toList();
        Supplier<Signatures> signatures = () -> bouncyCastle
                ? new BouncyCastleSignatures(key, keys) : new Ed25519Signatures(key, keys);
        long quota = total / n + (self < total % n ? 1 : 0);
        AtomicLong decided = new AtomicLong();
        Semaphore inFlight = new Semaphore(3 * batch);
        long[] startNanos = new long[1];
        Object done = new Object();
        BftNode node = new BftNode(self, addresses, signatures.get(), signatures,
                new BftNode.Settings(Duration.ofMillis(timeoutMs), new ReplicaConfig(batch, 4 * batch, 64), CodecLimits.DEFAULTS),
                (block, commands) -> {
                    int own = 0;
                    for (byte[] c : commands) {
                        if (ByteBuffer.wrap(c).getInt() == self) {
                            own++;
                        }
                    }
                    inFlight.release(own);
                    if (decided.addAndGet(commands.size()) >= total) {
                        synchronized (done) {
                            done.notifyAll();
                        }
                    }
                }, out -> out);
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            return;
        }
        startNanos[0] = System.nanoTime();
        long cpuAtGo = BftNetBench.ownCpuNanos();
        node.start();
        byte[] template = new byte[size];
        new SplittableRandom(self).nextBytes(template);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        for (long generated = 0; generated < quota && System.nanoTime() < deadline; ) {
            if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                byte[] command = template.clone();
                ByteBuffer.wrap(command).putInt(self).putLong(generated);
                while (!node.submit(command)) {
                    Thread.sleep(1);
                }
                generated++;
            }
        }
        synchronized (done) {
            while (decided.get() < total && System.nanoTime() < deadline) {
                done.wait(100);
            }
        }
        double seconds = (System.nanoTime() - startNanos[0]) / 1e9;
        BftNode.Status s = node.status(Duration.ofSeconds(10));
        double cpu = (BftNetBench.ownCpuNanos() - cpuAtGo) / 1e9;
        System.out.printf("DONE %d %.3f %.3f view=%d height=%d badFrames=%d dropped=%d refused=%d rejections=%s%n",
                decided.get(), seconds, cpu, s.view(), s.height(), s.badFrames(), s.droppedFrames(), s.refusedCommands(),
                s.rejections());
        System.out.flush();
        in.readLine();
        node.close();
    }
}
