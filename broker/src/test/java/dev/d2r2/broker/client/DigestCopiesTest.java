package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Digest copies on the wire, against one broker behind its TLS listener: a subscription asking
 * for digests gets each event's publisher, sequence number and the SHA-256 of its payload; asked
 * for whole events again it first gets, whole, those it had as digests from the offset it names;
 * PKE channels refuse digests.
 */
class DigestCopiesTest {
    private static final int EVENTS = 50;

    @TempDir
    Path dir;
    private Broker broker;
    private BrokerServer server;
    private RemoteBrokerClient admin;

    private record Digest(long offset, String publisher, long sequence, byte[] digest) {
    }

    @BeforeEach
    void start() throws Exception {
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        admin = RemoteBrokerClient.connect(IdentityFile.load(broker.adminIdentityPath()));
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
        broker.close();
    }

    private static ChannelSpec channel(String tag, Protection p) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT.withProtection(FaultModel.BYZANTINE, p),
                Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE));
    }

    private static byte[] payload(int i) {
        return ("{\"type\":\"alarm\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void digestsNameEachEventAndWholeEventsAskedForLaterBeginWithThoseSentAsDigests() throws Exception {
        admin.createChannel(channel("critical", Protection.HA));
        List<Digest> digests = new CopyOnWriteArrayList<>();
        List<Delivery> wholes = new CopyOnWriteArrayList<>();
        RemoteSubscription sub = admin.subscribeVoting("critical", StartPosition.live(), wholes::add,
                (offset, publisher, sequence, digest) -> digests.add(new Digest(offset, publisher, sequence, digest)), true);
        try (Publisher p = admin.publisher("critical")) {
            for (int i = 1; i <= EVENTS; i++) {
                p.publish(payload(i));
            }
            p.awaitAcknowledged(EVENTS, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(30)).until(() -> digests.size() == EVENTS);
            assertThat(wholes).isEmpty();
            for (int i = 0; i < EVENTS; i++) {
                Digest d = digests.get(i);
                assertThat(d.publisher()).isEqualTo("admin");
                assertThat(d.sequence()).isEqualTo(i + 1);
                assertThat(d.digest()).isEqualTo(Crypto.sha256().digest(payload(i + 1)));
            }

            long from = digests.get(EVENTS - 10).offset();
            admin.copies(sub, false, from);
            p.publish(payload(EVENTS + 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> wholes.size() == 11);
            for (int i = 0; i < 11; i++) {
                assertThat(wholes.get(i).offset()).isEqualTo(from + i);
                assertThat(wholes.get(i).payload()).isEqualTo(payload(EVENTS - 9 + i));
            }
            assertThat(digests).hasSize(EVENTS);

            admin.copies(sub, true, -1);
            p.publish(payload(EVENTS + 2));
            await().atMost(Duration.ofSeconds(30)).until(() -> digests.size() == EVENTS + 1);
            assertThat(digests.getLast().sequence()).isEqualTo(EVENTS + 2);
            assertThat(wholes).hasSize(11);
        }
    }

    @Test
    void pkeChannelsRefuseDigestsTheirReplicasEncryptEachCopyUnderANonceOfItsOwn() {
        admin.createChannel(channel("sealed", Protection.PKE));
        assertThatThrownBy(() -> admin.subscribeVoting("sealed", StartPosition.live(), d -> { }, (o, p, s, d) -> { }, true))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("PKE");
    }
}
