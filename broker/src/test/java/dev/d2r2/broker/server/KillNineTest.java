package dev.d2r2.broker.server;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.FailoverPolicy;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Acknowledged events survive {@code kill -9} of the broker process. */
class KillNineTest {
    @TempDir
    Path dir;

    private static Process startBroker(Path data) throws IOException {
        return BrokerProcess.launch(data, List.of(), ProcessBuilder.Redirect.DISCARD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"never", "always"})
    void acknowledgedEventsSurviveKillDashNine(String fsync) throws Exception {
        Process broker = startBroker(dir);
        int port = BrokerProcess.awaitPort(broker);
        IdentityFile admin = IdentityFile.load(dir.resolve("admin.identity"));
        long acked;
        // Without failover: this test is about what the broker kept, not what a client sends again.
        try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin, admin.replicas(),
                ClientSettings.DEFAULT.withFailover(FailoverPolicy.NONE))) {
            c.createChannel(new ChannelSpec("durable", ChannelClass.DEFAULT
                    .withPersistence(Persistence.LOG, FsyncPolicy.parse(fsync)), Set.of("*"), Set.of("*")));
            Publisher p = c.publisher("durable");
            long seq = 0;
            while (p.acknowledged() < 2000) {
                seq = p.publish(Event.message("e", seq, "s", Map.of("seq", seq + 1)));
            }
            for (int i = 0; i < 500; i++) {
                p.publish(Event.message("e", seq + i, "s", Map.of("seq", seq + i + 1)));
            }
            broker.destroyForcibly().waitFor();
            acked = p.acknowledged();
        }
        assertThat(acked).isGreaterThanOrEqualTo(2000);

        Process again = startBroker(dir);
        try {
            assertThat(BrokerProcess.awaitPort(again)).isPositive();
            IdentityFile reloaded = IdentityFile.load(dir.resolve("admin.identity"));
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(reloaded)) {
                Collector got = new Collector();
                c.subscribe("durable", StartPosition.fromOffset(0), got);
                await().atMost(Duration.ofSeconds(30)).until(() -> got.events.size() >= acked);
                TreeSet<Long> seqs = new TreeSet<>();
                for (Delivery d : got.events) {
                    seqs.add(d.publisherSeq());
                }
                for (long s = 1; s <= acked; s++) {
                    assertThat(seqs).contains(s);
                }
                assertThat(got.offsets()).isSorted().doesNotHaveDuplicates();
            }
        } finally {
            again.destroyForcibly().waitFor();
        }
        assertThat(port).isPositive();
    }

    @Test
    void controlTableAndIdentitiesSurviveARestart() throws Exception {
        Process broker = startBroker(dir);
        BrokerProcess.awaitPort(broker);
        IdentityFile admin = IdentityFile.load(dir.resolve("admin.identity"));
        try (RemoteBrokerClient c = RemoteBrokerClient.connect(admin)) {
            c.createChannel(new ChannelSpec("kept", ChannelClass.DEFAULT.withPriority(7), Set.of("a"), Set.of("b")));
        }
        broker.destroyForcibly().waitFor();
        Process again = startBroker(dir);
        try {
            BrokerProcess.awaitPort(again);
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(IdentityFile.load(dir.resolve("admin.identity")))) {
                ChannelSpec kept = c.channel("kept");
                assertThat(kept.channelClass().priority()).isEqualTo(7);
                assertThat(kept.publishers()).containsExactly("a");
            }
        } finally {
            again.destroyForcibly().waitFor();
        }
    }
}
