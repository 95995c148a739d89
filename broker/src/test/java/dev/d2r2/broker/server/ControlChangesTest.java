package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.FailoverPolicy;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.events.BrokerEvents;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Channel deletion and identity revocation through the client protocol, over TLS on a lone broker. */
class ControlChangesTest extends LoneBrokerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** A client that reports a lost connection at once instead of trying again. */
    private static RemoteBrokerClient connectOnce(IdentityFile id) throws Exception {
        return RemoteBrokerClient.connect(id, id.replicas(), ClientSettings.DEFAULT.withFailover(FailoverPolicy.NONE));
    }

    private static ChannelSpec channel(String tag, Set<String> publishers, Set<String> subscribers) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT, publishers, subscribers);
    }

    private static ErrorCode refusal(Runnable r) {
        try {
            r.run();
        } catch (BrokerException e) {
            return e.code();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aDeletedChannelTellsItsSubscribersAndRefusesItsPublishers() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(channel("doomed", Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            IdentityFile sensor = register(admin, "sensor");
            try (RemoteBrokerClient s = RemoteBrokerClient.connect(sensor); Publisher p = s.publisher("doomed")) {
                Collector got = new Collector();
                s.subscribe("doomed", StartPosition.live(), got);
                p.awaitAcknowledged(p.publish(Event.state("link", 1, "ap-1", "WiFi", "LTE", java.util.Map.of())), PATIENCE);
                await().atMost(PATIENCE).until(() -> got.events.size() == 1);

                admin.deleteChannel("doomed");

                await().atMost(PATIENCE).until(() -> got.closed != null);
                assertThat(got.closed.code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
                assertThat(got.closed.getMessage()).contains("channel doomed was deleted");
                assertThat(broker.metrics().deletedSubscriptions()).isEqualTo(1);
                long next = p.publish(Event.state("link", 2, "ap-1", "LTE", "WiFi", java.util.Map.of()));
                assertThatThrownBy(() -> p.awaitAcknowledged(next, PATIENCE)).isInstanceOf(BrokerException.class)
                        .hasMessageContaining("was deleted");
                assertThat(refusal(() -> s.subscribe("doomed", StartPosition.live(), new Collector())))
                        .isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
            }
            assertThat(admin.channels()).extracting(ChannelSpec::tag).doesNotContain("doomed");
            // A tag deleted is free again.
            admin.createChannel(channel("doomed", Set.of(), Set.of()));
            assertThat(admin.channel("doomed").tag()).isEqualTo("doomed");
        }
        broker.close();
        broker = Broker.open(dir, Clock.system());
        assertThat(broker.connectLocal(Broker.ADMIN).channels()).extracting(ChannelSpec::tag).contains("doomed");
    }

    @Test
    void aRevokedIdentityLosesItsSessionsItsRightsAndItsConnectsEvenAfterARestart() throws Exception {
        IdentityFile probe;
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            probe = register(admin, "probe");
            admin.createChannel(channel("alarms", Set.of("probe"), Set.of("probe")));
            RemoteBrokerClient first = connectOnce(probe);
            RemoteBrokerClient second = connectOnce(probe);
            Collector got = new Collector();
            first.subscribe("alarms", StartPosition.live(), got);
            second.channels();

            admin.revokeIdentity("probe");

            await().atMost(PATIENCE).until(() -> got.closed != null);
            assertThat(got.closed.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(got.closed.getMessage()).contains("identity probe was revoked");
            await().atMost(PATIENCE).until(() -> broker.metrics().revokedSessions() == 2);
            assertThat(refusal(second::channels)).isEqualTo(ErrorCode.UNAUTHENTICATED);
            first.close();
            second.close();
            assertThatThrownBy(() -> connectOnce(probe)).isInstanceOf(BrokerException.class)
                    .extracting(e -> ((BrokerException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(broker.refusals("revoked_identity")).isEqualTo(1);
            ChannelSpec alarms = admin.channel("alarms");
            assertThat(alarms.publishers()).doesNotContain("probe");
            assertThat(alarms.subscribers()).doesNotContain("probe");
        }
        server.close();
        broker.close();
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
        IdentityFile moved = IdentityFile.load(broker.adminIdentityPath());
        IdentityFile again = new IdentityFile(probe.name(), probe.secret(), probe.signingKey(), probe.publicKey(),
                moved.broker(), moved.brokerCertificatePem());
        assertThatThrownBy(() -> connectOnce(again)).isInstanceOf(BrokerException.class);
        assertThat(broker.refusals("revoked_identity")).isEqualTo(1);
    }

    @Test
    void badDeletionsAndRevocationsAreRefusedClearlyAndCounted() throws Exception {
        try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId)) {
            admin.createChannel(channel("kept", Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            IdentityFile sensor = register(admin, "sensor");
            try (RemoteBrokerClient s = RemoteBrokerClient.connect(sensor)) {
                double forbidden = broker.refusals("forbidden");
                assertThatThrownBy(() -> s.deleteChannel("kept")).hasMessageContaining("sensor is not an administrator");
                assertThatThrownBy(() -> s.revokeIdentity("admin")).hasMessageContaining("sensor is not an administrator");
                assertThat(broker.refusals("forbidden")).isEqualTo(forbidden + 2);
            }
            assertThat(refusal(() -> admin.deleteChannel("nope"))).isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
            assertThat(refusal(() -> admin.revokeIdentity("ghost"))).isEqualTo(ErrorCode.UNKNOWN_IDENTITY);
            double bad = broker.refusals("bad_request");
            assertThatThrownBy(() -> admin.deleteChannel(BrokerEvents.SYSTEM_CHANNEL)).hasMessageContaining("cannot be deleted");
            assertThatThrownBy(() -> admin.revokeIdentity(Broker.ADMIN)).hasMessageContaining("cannot revoke its own identity");
            assertThat(broker.refusals("bad_request")).isEqualTo(bad + 2);
            assertThat(admin.channels()).extracting(ChannelSpec::tag).contains("kept", BrokerEvents.SYSTEM_CHANNEL);
            assertThat(admin.channel("kept").tag()).isEqualTo("kept");
        }
        assertThat(List.of(broker.refusals("unknown_channel"), broker.refusals("unknown_identity"))).allMatch(n -> n >= 1);
    }
}
