package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.Op;
import dev.d2r2.broker.wire.WireFrame;
import dev.d2r2.core.Clock;
import dev.d2r2.core.testing.MadeOnce;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Attacks on the listener by connections that hold on: each is bounded, timed out and counted. */
class ConnectionLimitsTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;
    Broker broker;
    BrokerServer server;
    IdentityFile adminId;
    final List<RawClient> clients = new ArrayList<>();

    private void start(ConnectionLimits limits) throws IOException {
        MadeOnce.copyInto(dir, "broker-tls", TlsMaterial::loadOrCreate);
        broker = Broker.open(dir, Clock.system());
        server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0), limits);
        adminId = IdentityFile.load(broker.adminIdentityPath());
    }

    @AfterEach
    void stop() throws IOException {
        for (RawClient c : clients) {
            c.close();
        }
        server.close();
        broker.close();
    }

    private IdentityFile identity(String name) {
        IdentityFile id = broker.localIdentity(name, false);
        return id.withBroker(adminId.broker(), adminId.brokerCertificatePem());
    }

    /** The outcome of one stalled connection: the broker's ERROR, if it sent one, and when the connection ended. */
    private record Ending(Integer code, long atNanos) {
    }

    @Test
    void aThousandStalledConnectionsAnnouncingHugeFramesStayWithinMemoryAndAreClosedAtTheFrameLimit() throws Exception {
        Duration frameTimeout = Duration.ofSeconds(4);
        start(new ConnectionLimits(1000, 500, 1000, Duration.ofSeconds(30), frameTimeout, Duration.ofSeconds(60),
                32 * MIB));
        System.gc();
        long heapBefore = heapUsed();
        // Three identities with no rights at all; the first asks for more connections than one may hold.
        List<IdentityFile> ids = List.of(identity("x"), identity("y"), identity("z"));
        int[] attempts = {600, 300, 200};
        ConcurrentLinkedQueue<RawClient> in = new ConcurrentLinkedQueue<>();
        AtomicInteger refusedAtLogin = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> logins = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                IdentityFile id = ids.get(i);
                for (int n = 0; n < attempts[i]; n++) {
                    logins.add(pool.submit(() -> {
                        RawClient c = new RawClient(id, server.address());
                        synchronized (clients) {
                            clients.add(c);
                        }
                        try {
                            c.handshake(id);
                            in.add(c);
                        } catch (IOException e) {
                            assertThat(e).hasMessageContaining("broker error " + ErrorCode.LIMIT.code());
                            refusedAtLogin.incrementAndGet();
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : logins) {
                f.get();
            }
        }
        assertThat(in).hasSize(1000);
        assertThat(refusedAtLogin).hasValue(100);
        assertThat(broker.metrics().refusals("identity_connection_limit")).isEqualTo(100);

        // Each announces a frame of the largest size, sends 1 byte of its body, and stalls.
        ConcurrentLinkedQueue<Ending> endings = new ConcurrentLinkedQueue<>();
        long announced = System.nanoTime();
        for (RawClient c : in) {
            c.out.writeInt(Frames.MAX_FRAME_BYTES);
            c.out.writeByte(Frames.PUBLISH);
            c.out.flush();
            Thread.ofVirtual().start(() -> endings.add(awaitEnd(c)));
        }
        System.gc();
        long growth = heapUsed() - heapBefore;
        assertThat(growth).as("heap growth with 1,000 stalled connections, in bytes").isLessThan(256 * MIB);
        assertThat(broker.metrics().frameMemory().get()).isLessThanOrEqualTo(32.0 * MIB);

        await().atMost(Duration.ofSeconds(20)).until(() -> endings.size() == 1000);
        assertThat(endings).allSatisfy(e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT.code());
            assertThat(e.atNanos() - announced).isGreaterThanOrEqualTo(frameTimeout.toNanos());
        });
        assertThat(broker.metrics().timeouts("frame") + broker.metrics().refusals("frame_memory")).isEqualTo(1000);
        assertThat(broker.metrics().timeouts("frame")).isPositive();
        await().until(() -> broker.metrics().connections().get() == 0);
        assertThat(broker.metrics().frameMemory().get()).isZero();
    }

    /** Reads until the broker closes; returns the code of its ERROR frame, if one came. */
    private static Ending awaitEnd(RawClient c) {
        Integer code = null;
        try {
            c.socket.setSoTimeout(0);
            for (ByteBuffer f; (f = Frames.read(c.in)) != null; ) {
                if (WireFrame.decode(f) instanceof WireFrame.Error e) {
                    code = e.code();
                }
            }
        } catch (Exception e) {
            // the broker closed the connection
        }
        return new Ending(code, System.nanoTime());
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void theHandshakeLimitIsATotalDeadlineNotATimeoutPerRead() throws Exception {
        Duration limit = Duration.ofMillis(800);
        start(new ConnectionLimits(10, 10, 10, limit, Duration.ofSeconds(30), Duration.ofSeconds(60), 32 * MIB));
        RawClient c = new RawClient(adminId, server.address());
        clients.add(c);
        byte[] hello = helloBytes();
        AtomicInteger sent = new AtomicInteger();
        long began = System.nanoTime();
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try {
            // One byte of HELLO every 50 ms: each read succeeds well within any per-read timeout.
            drip.scheduleAtFixedRate(() -> {
                int i = sent.getAndIncrement();
                if (i < hello.length) {
                    try {
                        c.out.write(hello[i]);
                        c.out.flush();
                    } catch (IOException e) {
                        // closed by the broker
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            Ending end = awaitEnd(c);
            assertThat(end.code()).isEqualTo(ErrorCode.UNAUTHENTICATED.code());
            assertThat(end.atNanos() - began).isBetween(limit.toNanos(), limit.toNanos() + Duration.ofSeconds(2).toNanos());
            assertThat(sent.get()).as("bytes sent before the end").isLessThan(hello.length);
        } finally {
            drip.shutdownNow();
        }
        assertThat(broker.metrics().timeouts("handshake")).isEqualTo(1);
    }

    private static byte[] helloBytes() throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        Frames.writeHello(new java.io.DataOutputStream(bytes), "admin".repeat(10));
        return bytes.toByteArray();
    }

    @Test
    void pendingHandshakesAreCappedAndCostNoPlatformThreadEach() throws Exception {
        start(new ConnectionLimits(1000, 10, 150, Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(60), 32 * MIB));
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> plain = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                plain.add(new Socket("127.0.0.1", server.address().getPort()));
            }
            await().until(() -> broker.metrics().refusals("handshake_limit") == 50);
            assertThat(broker.metrics().pendingHandshakes().get()).isEqualTo(150);
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore)
                    .as("platform threads for 150 pending handshakes").isLessThan(10);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.metrics().pendingHandshakes().get() == 0);
            assertThat(broker.metrics().timeouts("handshake")).isEqualTo(150);
            assertThat(broker.metrics().connections().get()).isZero();
        } finally {
            for (Socket s : plain) {
                s.close();
            }
        }
    }

    @Test
    void anIdleConnectionThatHoldsNothingIsClosedAndOneThatSubscribesIsNot() throws Exception {
        Duration idle = Duration.ofMillis(600);
        start(new ConnectionLimits(10, 10, 10, Duration.ofSeconds(5), Duration.ofSeconds(5), idle, 32 * MIB));
        try (BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("c", ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE),
                    Set.of(ChannelSpec.ANYONE)));
        }
        RawClient idler = new RawClient(adminId, server.address());
        RawClient subscriber = new RawClient(adminId, server.address());
        clients.add(idler);
        clients.add(subscriber);
        subscriber.handshake(adminId);
        assertThat(subscriber.request(1, Op.SUBSCRIBE, "{\"tag\":\"c\",\"subscription\":1}")).startsWith("0 ");
        long began = System.nanoTime();
        idler.handshake(adminId);
        Ending end = awaitEnd(idler);
        assertThat(end.code()).isEqualTo(ErrorCode.LIMIT.code());
        assertThat(end.atNanos() - began).isGreaterThanOrEqualTo(idle.toNanos());
        assertThat(broker.metrics().timeouts("idle")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(broker.metrics().connections().get()).as("only the idler was closed").isEqualTo(1));
        assertThat(subscriber.request(2, Op.SUBSCRIBE, "{\"tag\":\"c\",\"subscription\":2}"))
                .as("the subscriber still answers").startsWith("0 ");
    }
}
