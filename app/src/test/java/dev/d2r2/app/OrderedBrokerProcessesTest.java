package dev.d2r2.app;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Protection;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code d2r2 broker --bft FILE --id NAME}: four broker processes, each with its HotStuff
 * replica (identity files at their default place beside the cluster file), order a TLS
 * publisher's events on a {@code durability: ordered} channel; subscribers on the other three
 * replicas get the same events in the same order at the same offsets.
 */
class OrderedBrokerProcessesTest {
    private static final int N = 4;
    private static final int EVENTS = 30;
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
    void fourBrokerProcessesTakeAPublishersEventsInOneOrder() throws Exception {
        Path cluster = BftClusterFiles.write(dir, N, null, Map.of());
        BftClusterFiles.startBrokers(processes, dir, cluster, N);
        KeyPair publisherKeys = Crypto.newSigningKeyPair();
        ChannelSpec spec = new ChannelSpec(TAG, new ChannelClass(Ordering.TOTAL, 5, Persistence.LOG, FsyncPolicy.NEVER, 8192,
                OverflowPolicy.DROP_OLDEST, FaultModel.BYZANTINE, Protection.PKS, Durability.ORDERED), Set.of("p0"), Set.of("*"));
        List<List<String>> delivered = new ArrayList<>();
        IdentityFile publisher = null;
        for (int i = 0; i < N; i++) {
            Path adminFile = dir.resolve("data-r" + i).resolve("admin.identity");
            await().atMost(PATIENCE).until(() -> Files.exists(adminFile) && IdentityFile.load(adminFile).broker() != null
                    && !IdentityFile.load(adminFile).broker().isEmpty());
            IdentityFile adminId = IdentityFile.load(adminFile);
            RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId);
            clients.add(admin);
            byte[] secret = admin.register("p0", publisherKeys.getPublic(), false);
            admin.createChannel(spec);
            if (i == 0) {
                publisher = new IdentityFile("p0", secret, publisherKeys.getPrivate(), publisherKeys.getPublic(),
                        adminId.broker(), adminId.brokerCertificatePem());
            } else {
                List<String> got = new CopyOnWriteArrayList<>();
                delivered.add(got);
                clients.add(admin.subscribe(TAG, StartPosition.fromOffset(0), d -> got.add(line(d))));
            }
        }

        RemoteBrokerClient client = RemoteBrokerClient.connect(publisher);
        clients.add(client);
        Publisher p = client.publisher(TAG);
        clients.add(p);
        List<String> published = new ArrayList<>();
        long last = 0;
        for (int i = 0; i < EVENTS; i++) {
            last = p.publish(("event-" + i).getBytes(StandardCharsets.UTF_8));
            published.add("p0 " + last + " event-" + i);
        }
        p.awaitAcknowledged(last, PATIENCE);
        assertThat(p.acknowledged()).isEqualTo(EVENTS);

        for (List<String> got : delivered) {
            await().atMost(PATIENCE).until(() -> got.size() >= EVENTS);
        }
        assertThat(delivered.getFirst()).hasSize(EVENTS)
                .extracting(l -> l.substring(l.indexOf(' ') + 1)).containsExactlyInAnyOrderElementsOf(published);
        assertThat(delivered.get(1)).isEqualTo(delivered.getFirst());
        assertThat(delivered.get(2)).isEqualTo(delivered.getFirst());
    }

    private static String line(Delivery d) {
        return d.offset() + " " + d.publisher() + " " + d.publisherSeq() + " " + new String(d.payload(), StandardCharsets.UTF_8);
    }
}
