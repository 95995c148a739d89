package dev.d2r2.app;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The CLI on a Byzantine cluster with an administrator: four {@code d2r2 broker --bft} processes,
 * {@code d2r2 identity create --sign} through replica 1 and {@code d2r2 channel create --sign}
 * through replica 2; the publisher's events through replica 3 reach subscribers on replicas 0
 * and 1 in one order; {@code d2r2 identity revoke --sign} through replica 0 shuts the publisher
 * out of all four.
 */
class ByzantineControlProcessesTest {
    private static final int N = 4;
    private static final int EVENTS = 10;
    private static final String TAG = "critical";
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;
    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : clients.reversed()) {
            c.close();
        }
    }

    @Test
    void signedCliCommandsReachEveryReplica() throws Exception {
        KeyPair root = Crypto.newSigningKeyPair();
        Path rootFile = dir.resolve("root.identity");
        new IdentityFile("root", Crypto.randomBytes(Crypto.SECRET_BYTES), root.getPrivate(), root.getPublic(), "", "")
                .save(rootFile);
        Path cluster = BftClusterFiles.write(dir, N, "cli", Map.of("root", root.getPublic()));
        BftClusterFiles.startBrokers(processes, dir, cluster, N);
        List<IdentityFile> admins = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Path adminFile = adminFile(i);
            await().atMost(PATIENCE).until(() -> Files.exists(adminFile) && IdentityFile.load(adminFile).broker() != null
                    && !IdentityFile.load(adminFile).broker().isEmpty());
            admins.add(IdentityFile.load(adminFile));
        }

        Path p0File = dir.resolve("p0.identity");
        cli("create-p0", "identity", "create", "p0", "--out", p0File.toString(), "--sign", rootFile.toString(),
                "--group", "cli", "--identity", adminFile(1).toString());
        cli("create-channel", "channel", "create", TAG, "--durability", "ordered", "--persistence", "log",
                "--protection", "PKS", "--fault-model", "byzantine", "--ordering", "total", "--overflow", "drop-oldest",
                "--publishers", "p0", "--subscribers", "*", "--sign", rootFile.toString(), "--group", "cli",
                "--identity", adminFile(2).toString());

        List<List<String>> delivered = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            IdentityFile admin = admins.get(i);
            RemoteBrokerClient c = await().atMost(PATIENCE).ignoreExceptions().until(() -> {
                RemoteBrokerClient client = RemoteBrokerClient.connect(admin);
                try {
                    client.channel(TAG);
                    return client;
                } catch (BrokerException e) {
                    client.close();
                    throw e;
                }
            }, x -> true);
            clients.add(c);
            List<String> got = new CopyOnWriteArrayList<>();
            delivered.add(got);
            clients.add(c.subscribe(TAG, StartPosition.fromOffset(0), d -> got.add(line(d))));
        }
        IdentityFile p0 = IdentityFile.load(p0File);
        IdentityFile atReplica3 = p0.withReplicas(List.of(admins.get(3).replicas().getFirst()));
        RemoteBrokerClient publisher = await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> RemoteBrokerClient.connect(atReplica3), x -> true);
        clients.add(publisher);
        Publisher p = await().atMost(PATIENCE).ignoreExceptions().until(() -> publisher.publisher(TAG), x -> true);
        clients.add(p);
        long last = 0;
        for (int i = 0; i < EVENTS; i++) {
            last = p.publish(("event-" + i).getBytes(StandardCharsets.UTF_8));
        }
        p.awaitAcknowledged(last, PATIENCE);
        for (List<String> got : delivered) {
            await().atMost(PATIENCE).until(() -> got.size() >= EVENTS);
        }
        assertThat(delivered.getFirst()).hasSize(EVENTS).first().isEqualTo("0 p0 event-0");
        assertThat(delivered.get(1)).isEqualTo(delivered.getFirst());

        cli("revoke-p0", "identity", "revoke", "p0", "--sign", rootFile.toString(), "--group", "cli",
                "--identity", adminFile(0).toString());
        for (int i = 0; i < N; i++) {
            IdentityFile at = p0.withReplicas(List.of(admins.get(i).replicas().getFirst()));
            await().atMost(PATIENCE).untilAsserted(() -> assertThatThrownBy(() -> RemoteBrokerClient.connect(at).close())
                    .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED)));
        }
    }

    private Path adminFile(int replica) {
        return dir.resolve("data-r" + replica).resolve("admin.identity");
    }

    /** Runs {@code d2r2 args...} to its end; it must succeed. */
    private void cli(String name, String... args) throws Exception {
        Process p = processes.start(name, args);
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr-" + name))).isZero();
    }

    private static String line(Delivery d) {
        return d.offset() + " " + d.publisher() + " " + new String(d.payload(), StandardCharsets.UTF_8);
    }
}
