package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FaultModel;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.wire.Op;
import dev.d2r2.broker.wire.WireFrame;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NetworkBrokerTest extends LoneBrokerTest {
    private static ChannelSpec open(String tag, Protection p) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT.withProtection(FaultModel.CRASH, p),
                Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE));
    }

    @Test
    void adminIdentityFileNamesTheListenerAndItsCertificate() {
        assertThat(adminId.broker()).isEqualTo("127.0.0.1:" + server.address().getPort());
        assertThat(adminId.brokerCertificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @ParameterizedTest
    @EnumSource(Protection.class)
    void publishesAndDeliversOverTlsUnderEachProtection(Protection protection) throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(open("p", protection));
            IdentityFile sensor = register(admin, "sensor");
            Collector got = new Collector();
            admin.subscribe("p", StartPosition.live(), got);
            try (RemoteBrokerClient pub = RemoteBrokerClient.connect(sensor); Publisher p = pub.publisher("p")) {
                long last = 0;
                for (int i = 0; i < 500; i++) {
                    last = p.publish(Event.state("link", i, "ap-" + i, "WiFi", "LTE", Map.of("i", (long) i)));
                }
                p.awaitAcknowledged(last, Duration.ofSeconds(20));
                assertThat(p.acknowledged()).isEqualTo(500);
            }
            await().until(() -> got.events.size() == 500);
            Event e = got.events.get(499).event();
            assertThat(e.source()).isEqualTo("ap-499");
            assertThat(e.to()).isEqualTo("LTE");
            assertThat(e.attrs()).containsEntry("i", 499L);
            assertThat(got.events.get(499).publisher()).isEqualTo("sensor");
        }
    }

    @Test
    void acknowledgedEventsAreInTheLogFileAlready() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(new ChannelSpec("kept", ChannelClass.DEFAULT
                    .withPersistence(dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.NEVER),
                    Set.of("*"), Set.of("*")));
            byte[] payload = new byte[1000];
            try (Publisher p = admin.publisher("kept")) {
                for (int round = 1; round <= 20; round++) {
                    long last = 0;
                    for (int i = 0; i < 50; i++) {
                        last = p.publish(payload);
                    }
                    p.awaitAcknowledged(last, Duration.ofSeconds(10));
                    // The file itself, not the broker's buffer, must hold every acknowledged event.
                    long onDisk;
                    try (var files = java.nio.file.Files.list(dir.resolve("channels/kept"))) {
                        onDisk = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
                    }
                    assertThat(onDisk).as("log bytes after %d acknowledged events", round * 50)
                            .isGreaterThanOrEqualTo(round * 50L * payload.length);
                }
            }
        }
    }

    @Test
    void pkeEventsAreEncryptedOnTheWireAndInTheLog() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(new ChannelSpec("secret", ChannelClass.DEFAULT
                    .withPersistence(dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.ALWAYS)
                    .withProtection(FaultModel.BYZANTINE, Protection.PKE), Set.of("*"), Set.of("*")));
            try (Publisher p = admin.publisher("secret")) {
                p.awaitAcknowledged(p.publish(Event.message("plaintext-marker-xyzzy", 1, "s", Map.of())), Duration.ofSeconds(10));
            }
        }
        byte[] logged = java.nio.file.Files.readAllBytes(java.nio.file.Files.list(dir.resolve("channels/secret"))
                .filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow());
        assertThat(new String(logged, StandardCharsets.ISO_8859_1)).doesNotContain("plaintext-marker-xyzzy");
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            Collector got = new Collector();
            admin.subscribe("secret", StartPosition.fromOffset(0), got);
            await().until(() -> got.events.size() == 1);
            assertThat(got.events.getFirst().event().type()).isEqualTo("plaintext-marker-xyzzy");
        }
    }

    /** Publishes through the raw protocol an envelope that was altered after sealing. */
    private String publishTampered(Protection protection, boolean wrongKey) throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(open("t", protection));
            IdentityFile sensor = register(admin, "sensor");
            try (RawClient raw = new RawClient(sensor, server.address())) {
                raw.handshake(sensor);
                String opened = raw.request(1, Op.OPEN_PUBLISHER, "{\"tag\":\"t\"}");
                assertThat(opened).startsWith("0 ");
                byte[] key = Base64.getDecoder().decode(opened.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1"));
                KeyPair other = Crypto.newSigningKeyPair();
                ChannelSealer sealer = new ChannelSealer("t", protection, "sensor",
                        wrongKey ? Crypto.randomBytes(32) : sensor.secret(),
                        wrongKey ? other.getPrivate() : sensor.signingKey(), key);
                byte[] env = sealer.seal(1, 1, EventCodec.encode(Event.message("x", 1, "s", Map.of()))).bytes();
                if (!wrongKey) {
                    int sealLength = protection == Protection.HA ? 32 : 64;
                    env[env.length - 2 - sealLength - 1] ^= 1;
                }
                raw.publish(1, env);
                WireFrame.Refused refused = raw.read(WireFrame.Refused.class);
                assertThat(refused.publisher()).isEqualTo(1);
                assertThat(refused.sequence()).isEqualTo(1);
                return ErrorCode.of(refused.code()) + " " + refused.why();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protection.class, names = {"HA", "PKS", "PKE"})
    void alteredEventsAreRefusedAndCounted(Protection protection) throws Exception {
        assertThat(publishTampered(protection, false)).startsWith("INTEGRITY").contains("fails its " + protection);
        assertThat(broker.refusals("integrity")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = Protection.class, names = {"HA", "PKS", "PKE"})
    void eventsSealedWithAnotherKeyAreRefused(Protection protection) throws Exception {
        assertThat(publishTampered(protection, true)).startsWith("INTEGRITY");
        assertThat(broker.refusals("integrity")).isEqualTo(1);
    }

    @Test
    void refusedPublishSurfacesInAwaitAcknowledged() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(new ChannelSpec("acl", ChannelClass.DEFAULT, Set.of("sensor"), Set.of("*")));
            IdentityFile sensor = register(admin, "sensor");
            try (RemoteBrokerClient pub = RemoteBrokerClient.connect(sensor)) {
                Publisher p = pub.publisher("acl");
                p.awaitAcknowledged(p.publish(Event.message("ok", 1, "s", Map.of())), Duration.ofSeconds(10));
                admin.alterChannel(new ChannelSpec("acl", ChannelClass.DEFAULT, Set.of("other"), Set.of("*")));
                long seq = p.publish(Event.message("late", 2, "s", Map.of()));
                assertThatThrownBy(() -> p.awaitAcknowledged(seq, Duration.ofSeconds(10)))
                        .isInstanceOf(BrokerException.class).hasMessageContaining("sensor may not publish on channel acl");
            }
        }
    }

    @Test
    void badCredentialsAreRefusedAndCounted() throws Exception {
        IdentityFile forged = new IdentityFile("admin", Crypto.randomBytes(32), adminId.signingKey(), adminId.publicKey(),
                adminId.broker(), adminId.brokerCertificatePem());
        assertThatThrownBy(() -> RemoteBrokerClient.connect(forged)).isInstanceOf(BrokerException.class)
                .hasMessageContaining("bad credentials for identity admin");
        IdentityFile nobody = new IdentityFile("nobody", Crypto.randomBytes(32), adminId.signingKey(), adminId.publicKey(),
                adminId.broker(), adminId.brokerCertificatePem());
        assertThatThrownBy(() -> RemoteBrokerClient.connect(nobody)).isInstanceOf(BrokerException.class);
        assertThat(broker.refusals("bad_credentials")).isEqualTo(2);
    }

    @Test
    void aReaderLearnsWhereTheLogEndsIfItMaySubscribe() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(new ChannelSpec("kept", ChannelClass.DEFAULT
                    .withPersistence(dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.NEVER),
                    Set.of("*"), Set.of("reader")));
            admin.createChannel(open("mem", Protection.SI));
            IdentityFile reader = register(admin, "reader");
            IdentityFile stranger = register(admin, "stranger");
            try (RemoteBrokerClient r = RemoteBrokerClient.connect(reader); RemoteBrokerClient s = RemoteBrokerClient.connect(stranger)) {
                assertThat(r.logSpan("kept")).as("an empty log").isNull();
                long before = System.currentTimeMillis();
                try (Publisher p = admin.publisher("kept")) {
                    long last = 0;
                    for (int i = 0; i < 5; i++) {
                        last = p.publish(new byte[]{(byte) i});
                    }
                    p.awaitAcknowledged(last, Duration.ofSeconds(10));
                }
                LogSpan span = r.logSpan("kept");
                assertThat(span.firstOffset()).isZero();
                assertThat(span.lastOffset()).isEqualTo(4);
                assertThat(span.firstTime()).isBetween(before, span.lastTime());
                assertThat(span.lastTime()).isLessThanOrEqualTo(System.currentTimeMillis());
                assertThatThrownBy(() -> s.logSpan("kept")).isInstanceOf(BrokerException.class)
                        .hasMessage("forbidden: stranger may not read the log of channel kept");
                assertThatThrownBy(() -> r.logSpan("mem")).isInstanceOf(BrokerException.class).hasMessageContaining("persistence: none");
                assertThatThrownBy(() -> r.logSpan("nope")).hasMessage("unknown_channel: no channel nope");
            }
        }
    }

    @Test
    void unauthorisedClientsAreRefusedWithAClearError() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(new ChannelSpec("acl", ChannelClass.DEFAULT, Set.of("alice"), Set.of("alice")));
            IdentityFile mallory = register(admin, "mallory");
            try (RemoteBrokerClient m = RemoteBrokerClient.connect(mallory)) {
                assertThatThrownBy(() -> m.publisher("acl")).isInstanceOf(BrokerException.class)
                        .hasMessage("forbidden: mallory may not publish on channel acl");
                assertThatThrownBy(() -> m.subscribe("acl", StartPosition.live(), new Collector()))
                        .hasMessage("forbidden: mallory may not subscribe to channel acl");
                assertThatThrownBy(() -> m.register("eve", null, true)).hasMessageContaining("not an administrator");
                assertThatThrownBy(() -> m.channel("nope")).hasMessage("unknown_channel: no channel nope");
                assertThat(m.channels()).isEmpty();
            }
        }
        assertThat(broker.refusals("forbidden")).isEqualTo(3);
    }

    @Test
    void malformedFramesCloseOnlyTheirConnectionAndAreCounted() throws Exception {
        Random random = new Random(42);
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(open("alive", Protection.SI));
            Collector got = new Collector();
            admin.subscribe("alive", StartPosition.live(), got);
            for (int i = 0; i < 20; i++) {
                try (RawClient raw = new RawClient(adminId, server.address())) {
                    raw.handshake(adminId);
                    byte[] junk = new byte[1 + random.nextInt(200)];
                    random.nextBytes(junk);
                    raw.out.writeInt(junk.length);
                    raw.out.write(junk);
                    raw.out.flush();
                    assertThatThrownBy(() -> raw.read(WireFrame.Response.class)).isInstanceOf(IOException.class);
                }
            }
            try (Publisher p = admin.publisher("alive")) {
                p.awaitAcknowledged(p.publish(Event.message("still-here", 1, "s", Map.of())), Duration.ofSeconds(10));
            }
            await().until(() -> got.events.size() == 1);
        }
        assertThat(broker.metrics().malformedFrames()).isEqualTo(20);
    }

    @Test
    void oversizedFrameLengthIsRefusedBeforeAllocation() throws Exception {
        try (RawClient raw = new RawClient(adminId, server.address())) {
            raw.handshake(adminId);
            raw.out.writeInt(Integer.MAX_VALUE);
            raw.out.flush();
            assertThatThrownBy(() -> raw.read(WireFrame.Response.class)).hasMessageContaining("frame length");
        }
        assertThat(broker.metrics().malformedFrames()).isEqualTo(1);
    }

    @Test
    void badChannelDefinitionsGetAClearError() throws Exception {
        try (RawClient raw = new RawClient(adminId, server.address())) {
            raw.handshake(adminId);
            assertThat(raw.request(7, Op.CREATE_CHANNEL, "{\"tag\":\"c\",\"ordering\":\"sideways\"}"))
                    .startsWith(ErrorCode.BAD_REQUEST.code() + " ").contains("ordering \"sideways\" is not one of [none, fifo, total]");
            assertThat(raw.request(8, Op.CREATE_CHANNEL, "{\"tag\":\"bad tag!\"}"))
                    .contains("must be 1-200 characters");
            assertThat(raw.request(9, Op.LIST_CHANNELS, "{}")).startsWith("0 ");
        }
    }

    @Test
    void internalFailuresReachTheClientOnlyAsTheirCodeAndAreCounted() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("channels").resolve("logged"), "not a directory");
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            ChannelSpec logged = new ChannelSpec("logged", ChannelClass.DEFAULT.withPersistence(
                    dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.parse("never")),
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE));
            assertThatThrownBy(() -> admin.createChannel(logged)).isInstanceOf(BrokerException.class)
                    .hasMessage("internal: " + RemoteSession.INTERNAL_ERROR)
                    .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.INTERNAL));
            admin.createChannel(open("still-serving", Protection.SI));
            assertThat(admin.channels()).extracting(ChannelSpec::tag).contains("still-serving").doesNotContain("logged");
        }
        assertThat(broker.metrics().internalErrors()).isEqualTo(1);
    }

    @Test
    void theSameSealedEventSentAgainIsStoredOnceEvenAfterARestart() throws Exception {
        ChannelSpec logged = new ChannelSpec("once", ChannelClass.DEFAULT.withPersistence(
                dev.d2r2.broker.Persistence.LOG, dev.d2r2.broker.FsyncPolicy.parse("never")),
                Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE));
        IdentityFile sensor;
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(logged);
            sensor = register(admin, "sensor");
        }
        byte[] env = new ChannelSealer("once", Protection.SI, "sensor", sensor.secret(), sensor.signingKey(), new byte[0])
                .seal(1, 1000, EventCodec.encode(Event.message("only-once", 1, "s", Map.of()))).bytes();
        sendTwiceOnOneConnectionAndOnceOnAnother(sensor, env);
        assertThat(storedTypes(1)).containsExactly("only-once", "marker");
        assertThat(broker.metrics().duplicates("once").get()).isEqualTo(2);

        server.close();
        broker.close();
        start();
        sendTwiceOnOneConnectionAndOnceOnAnother(sensor, env);
        assertThat(storedTypes(2)).as("after a restart").containsExactly("only-once", "marker", "marker");
    }

    private void sendTwiceOnOneConnectionAndOnceOnAnother(IdentityFile sensor, byte[] envelope) throws Exception {
        IdentityFile at = new IdentityFile(sensor.name(), sensor.secret(), sensor.signingKey(), sensor.publicKey(),
                adminId.broker(), adminId.brokerCertificatePem());
        for (int sends : new int[]{2, 1}) {
            try (RawClient raw = new RawClient(at, server.address())) {
                raw.handshake(at);
                assertThat(raw.request(1, Op.OPEN_PUBLISHER, "{\"tag\":\"once\"}")).startsWith("0 ");
                for (int i = 0; i < sends; i++) {
                    raw.publish(1, envelope);
                }
                raw.out.flush();
                assertThat(raw.read(WireFrame.Ack.class).sequence()).isEqualTo(1);
            }
        }
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId); Publisher p = admin.publisher("once")) {
            p.awaitAcknowledged(p.publish(Event.message("marker", 2, "s", Map.of())), Duration.ofSeconds(10));
        }
    }

    /** Every event type in the channel's log, in order, up to its {@code markers}th marker. */
    private List<String> storedTypes(int markers) throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            Collector got = new Collector();
            admin.subscribe("once", StartPosition.fromOffset(0), got);
            await().until(() -> got.types().stream().filter("marker"::equals).count() == markers);
            return got.types();
        }
    }
}
