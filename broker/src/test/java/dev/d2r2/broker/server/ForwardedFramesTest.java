package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Durability;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.EnvelopeForwarder;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.EnvelopeBytes;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.Op;
import dev.d2r2.core.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutput;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What a replica does with FORWARD frames (one broker, real TLS connections): a genuine copy
 * from an administrator's link is stored once however often it comes, and once beside the
 * publisher's own copy; forged, tampered and garbage copies, and copies from a client that is
 * no administrator, are refused and counted, and none reaches a subscriber.
 */
class ForwardedFramesTest {
    private static final String TAG = "paths";

    @TempDir
    Path dir;
    Broker broker;
    BrokerServer server;
    IdentityFile adminId;
    RemoteBrokerClient admin;
    byte[] channelKey;
    final List<Delivery> got = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        adminId = IdentityFile.load(broker.adminIdentityPath());
        admin = RemoteBrokerClient.connect(adminId);
        admin.createChannel(new ChannelSpec(TAG, ChannelClass.DEFAULT.withProtection(FaultModel.CRASH, Protection.PKS)
                .withDurability(Durability.FORWARDED), Set.of("pub", "mallory"), Set.of(ChannelSpec.ANYONE)));
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
        broker.close();
    }

    private IdentityFile register(String name, boolean isAdmin) {
        KeyPair keys = Crypto.newSigningKeyPair();
        byte[] secret = admin.register(name, keys.getPublic(), isAdmin);
        return new IdentityFile(name, secret, keys.getPrivate(), keys.getPublic(), adminId.broker(),
                adminId.brokerCertificatePem());
    }

    private static Envelope seal(IdentityFile as, String publisherName, long seq, String text) {
        return new ChannelSealer(TAG, Protection.PKS, publisherName, as.secret(), as.signingKey(), null)
                .seal(seq, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aGenuineCopyIsStoredOnceAndForgedTamperedOrGarbageCopiesAreRefusedAndCounted() throws Exception {
        IdentityFile pub = register("pub", false);
        IdentityFile mallory = register("mallory", false);
        IdentityFile fwd = register("fwd", true);
        admin.subscribe(TAG, StartPosition.live(), got::add);

        try (RemoteBrokerClient publisherClient = RemoteBrokerClient.connect(pub);
             RemoteBrokerClient link = RemoteBrokerClient.connect(fwd)) {
            var direct = publisherClient.publisher(TAG);
            direct.publish("one".getBytes(StandardCharsets.UTF_8));
            direct.awaitAcknowledged(1, Duration.ofSeconds(5));

            EnvelopeForwarder forwarder = link.forwarder(TAG);
            assertThat(forwarder.forward(seal(pub, "pub", 1, "one"))).as("the publisher's event 1 again").isTrue();
            assertThat(forwarder.forward(seal(pub, "pub", 2, "two"))).isTrue();
            assertThat(forwarder.forward(seal(pub, "pub", 2, "two"))).as("a second forwarded copy").isTrue();
            assertThat(forwarder.forward(seal(mallory, "pub", 3, "forged"))).as("signed with another key").isTrue();
            Envelope tampered = seal(pub, "pub", 4, "genuine");
            byte[] bytes = tampered.bytes();
            bytes[bytes.length - 2 - 64 - 1] ^= 1;
            assertThat(forwarder.forward(Envelope.parse(bytes))).isTrue();
            assertThat(forwarder.forward(seal(pub, "nobody", 5, "unknown publisher"))).isTrue();
            assertThat(forwarder.forward(seal(pub, "pub", 6, "six"))).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 3);
            assertThat(got).extracting(d -> d.publisherSeq() + ":" + new String(d.payload(), StandardCharsets.UTF_8))
                    .containsExactly("1:one", "2:two", "6:six");
            assertThat(broker.refusals("integrity")).isEqualTo(2);
            assertThat(broker.refusals("forward_unknown_publisher")).isEqualTo(1);
        }

        try (RemoteBrokerClient notAdmin = RemoteBrokerClient.connect(mallory)) {
            EnvelopeForwarder forwarder = notAdmin.forwarder(TAG);
            forwarder.forward(seal(mallory, "mallory", 1, "as a replica"));
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.refusals("forward_forbidden") == 1);
        }

        try (RawClient raw = new RawClient(fwd, server.address())) {
            raw.handshake(fwd);
            assertThat(raw.request(1, Op.OPEN_PUBLISHER, "{\"tag\":\"" + TAG + "\"}")).startsWith("0 ");
            double malformed = broker.metrics().malformedFrames();
            Frames.writeForward(raw.out, 1, new Garbage(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7}));
            raw.out.flush();
            assertThatThrownBy(() -> raw.read(dev.d2r2.broker.wire.WireFrame.Response.class))
                    .hasMessageContaining("broker error " + ErrorCode.BAD_REQUEST.code());
            assertThat(broker.metrics().malformedFrames()).isEqualTo(malformed + 1);
        }
        assertThat(got).hasSize(3);
    }

    private record Garbage(byte[] bytes) implements EnvelopeBytes {
        @Override
        public int length() {
            return bytes.length;
        }

        @Override
        public void writeTo(DataOutput out) throws IOException {
            out.write(bytes);
        }
    }
}
