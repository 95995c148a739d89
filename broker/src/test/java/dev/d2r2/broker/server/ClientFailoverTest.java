package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.client.ClientSettings;
import dev.d2r2.broker.client.FailoverListener;
import dev.d2r2.broker.client.FailoverPolicy;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Clients fail over on their own: publishers send their unacknowledged events again with the
 * same sequence numbers and the broker stores each once; subscribers on a channel with a log
 * resume after the last event they got. Every acknowledged event reaches every subscriber once,
 * in order.
 */
class ClientFailoverTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void publisherAndSubscriberRideOutKillDashNineAndARestartOnTheSameAddress() throws Exception {
        Process broker = startBroker(dir, 0);
        int port = BrokerProcess.awaitPort(broker);
        IdentityFile admin = IdentityFile.load(dir.resolve("admin.identity"));
        // The publisher's list starts with a replica that is down: every failover passes it by.
        IdentityFile publisherId = admin.withReplicas(List.of(
                new BrokerReplica("127.0.0.1:" + deadPort(), admin.brokerCertificatePem()), admin.replicas().getFirst()));
        try (RemoteBrokerClient setup = RemoteBrokerClient.connect(admin)) {
            setup.createChannel(logged("failover"));
        }
        Recorder heard = new Recorder();
        Collector got = new Collector();
        Process again = null;
        int total = 3000;
        try (RemoteBrokerClient sub = RemoteBrokerClient.connect(admin, admin.replicas(), settings(heard));
             RemoteBrokerClient pub = RemoteBrokerClient.connect(publisherId, publisherId.replicas(), settings(heard))) {
            assertThat(pub.address()).isEqualTo("127.0.0.1:" + port);
            sub.subscribe("failover", StartPosition.live(), got);
            Publisher p = pub.publisher("failover");
            int i = 0;
            for (; i < 1000; i++) {
                p.publish(event(i));
            }
            p.awaitAcknowledged(1000, PATIENCE);
            signal(broker, "STOP");
            // Sent to a broker that no longer reads: never acknowledged, lost with it.
            for (; i < 1200; i++) {
                p.publish(event(i));
            }
            broker.destroyForcibly().waitFor();
            again = startBroker(dir, port);
            BrokerProcess.awaitPort(again);
            for (; i < total; i++) {
                p.publish(event(i));
            }
            p.awaitAcknowledged(total, PATIENCE);
            await().atMost(PATIENCE).until(() -> got.events.size() >= total);

            assertThat(indexes(got.events)).as("each event once, in order").containsExactlyElementsOf(range(total));
            assertThat(got.offsets()).isSorted().doesNotHaveDuplicates();
            assertThat(pub.failovers()).isEqualTo(1);
            assertThat(sub.failovers()).isEqualTo(1);
            assertThat(pub.resentEvents()).as("the 200 events the dead broker never acknowledged").isGreaterThanOrEqualTo(200);
            assertThat(pub.address()).isEqualTo("127.0.0.1:" + port);
            assertThat(heard.failedOver).contains("127.0.0.1:" + port + " -> 127.0.0.1:" + port);

            Collector log = new Collector();
            try (RemoteBrokerClient reader = RemoteBrokerClient.connect(admin)) {
                reader.subscribe("failover", StartPosition.fromOffset(0), log);
                await().atMost(PATIENCE).until(() -> log.events.size() >= total);
            }
            assertThat(indexes(log.events).subList(0, total)).as("the log holds each event once")
                    .containsExactlyElementsOf(range(total));
        } finally {
            broker.destroyForcibly().waitFor();
            if (again != null) {
                again.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void eventsTheBrokerTookButNeverAcknowledgedAreSentAgainAndStoredOnce() throws Exception {
        try (Broker broker = Broker.open(dir, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
             CuttableProxy proxy = new CuttableProxy(server.address())) {
            IdentityFile admin = IdentityFile.load(broker.adminIdentityPath());
            BrokerReplica direct = admin.replicas().getFirst();
            // Two addresses of one broker: the first, through the relay, is the one that dies.
            IdentityFile twoWays = admin.withReplicas(List.of(new BrokerReplica(proxy.address(), direct.certificatePem()), direct));
            Recorder heard = new Recorder();
            try (RemoteBrokerClient watcher = RemoteBrokerClient.connect(admin);
                 RemoteBrokerClient pub = RemoteBrokerClient.connect(twoWays, twoWays.replicas(), settings(heard))) {
                watcher.createChannel(logged("once"));
                Collector got = new Collector();
                watcher.subscribe("once", StartPosition.fromOffset(0), got);
                Publisher p = pub.publisher("once");
                proxy.holdReplies();
                for (int i = 0; i < 100; i++) {
                    p.publish(event(i));
                }
                await().atMost(PATIENCE).until(() -> got.events.size() >= 100);
                assertThat(p.acknowledged()).as("the relay holds the acknowledgements").isZero();

                proxy.cut();
                p.awaitAcknowledged(100, PATIENCE);
                p.awaitAcknowledged(p.publish(event(100)), PATIENCE);
                await().atMost(PATIENCE).until(() -> got.events.size() >= 101);

                assertThat(pub.resentEvents()).isEqualTo(100);
                assertThat(broker.metrics().duplicates("once").get()).as("recognised, not stored again").isEqualTo(100);
                assertThat(indexes(got.events)).containsExactlyElementsOf(range(101));
                assertThat(pub.address()).isEqualTo(direct.address());
                assertThat(heard.lost).containsExactly(proxy.address());
                assertThat(heard.failedOver).containsExactly(proxy.address() + " -> " + direct.address());
            }
        }
    }

    @Test
    void aClientWithNoBrokerLeftGivesUpAfterItsPatience() throws Exception {
        Recorder heard = new Recorder();
        try (Broker broker = Broker.open(dir, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
             CuttableProxy proxy = new CuttableProxy(server.address())) {
            IdentityFile admin = IdentityFile.load(broker.adminIdentityPath());
            // The only replica is the relay's address: once it is closed, nothing answers there.
            IdentityFile viaProxy = admin.withReplicas(List.of(new BrokerReplica(proxy.address(), admin.brokerCertificatePem())));
            ClientSettings brief = settings(heard).withFailover(FailoverPolicy.DEFAULT.withGiveUpAfter(Duration.ofMillis(300)));
            try (RemoteBrokerClient c = RemoteBrokerClient.connect(viaProxy, viaProxy.replicas(), brief)) {
                c.createChannel(logged("gone"));
                Collector got = new Collector();
                c.subscribe("gone", StartPosition.live(), got);
                Publisher p = c.publisher("gone");
                proxy.close();
                long s = p.publish(event(0));
                assertThatThrownBy(() -> p.awaitAcknowledged(s, PATIENCE)).isInstanceOf(BrokerException.class)
                        .hasMessageContaining("no broker answered");
                await().atMost(PATIENCE).until(() -> got.closed != null);
                assertThat(heard.gaveUp).hasSize(1);
                assertThatThrownBy(c::channels).isInstanceOf(BrokerException.class)
                        .extracting(e -> ((BrokerException) e).code()).isEqualTo(ErrorCode.DISCONNECTED);
            }
        }
    }

    private static ClientSettings settings(Recorder heard) {
        return ClientSettings.DEFAULT.withListener(heard);
    }

    private static ChannelSpec logged(String tag) {
        return new ChannelSpec(tag, ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER),
                Set.of("*"), Set.of("*"));
    }

    private static Event event(int index) {
        return Event.message("failover.test", index, "test", Map.of("index", index));
    }

    private static List<Long> indexes(List<Delivery> events) {
        return events.stream().map(d -> {
            try {
                return ((Number) d.event().attrs().get("index")).longValue();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private static List<Long> range(int n) {
        return LongStream.range(0, n).boxed().toList();
    }

    /** A loopback port nothing listens on. */
    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    private static Process startBroker(Path data, int port) throws IOException {
        return BrokerProcess.launch(data, List.of(Integer.toString(port)), ProcessBuilder.Redirect.DISCARD);
    }

    /** What a client's failover listener heard. */
    private static final class Recorder implements FailoverListener {
        final List<String> lost = new CopyOnWriteArrayList<>();
        final List<String> failedOver = new CopyOnWriteArrayList<>();
        final List<BrokerException> gaveUp = new CopyOnWriteArrayList<>();

        @Override
        public void connectionLost(String address, BrokerException cause) {
            lost.add(address);
        }

        @Override
        public void failedOver(String from, String to, Duration outage) {
            failedOver.add(from + " -> " + to);
        }

        @Override
        public void gaveUp(BrokerException cause) {
            gaveUp.add(cause);
        }
    }
}
