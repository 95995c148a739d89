package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.client.RemoteBrokerClient;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** A full disk on a small real tmpfs: writes are refused as such, reads go on, and the broker starts. */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskRefusesPublishersClearlyAndKeepsTheChannelReadableAcrossARestart() throws Exception {
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        mount(mnt);
        try {
            Path data = mnt.resolve("data");
            long acked = fillTheDisk(data);
            assertThat(acked).as("events acknowledged before the disk filled").isPositive();
            assertThat(tmpFiles(mnt)).as("no orphan temporary files").isEmpty();
            fill(mnt.resolve("filler-1"));

            try (Broker broker = Broker.open(data, Clock.system());
                 BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
                 RemoteBrokerClient admin = RemoteBrokerClient.connect(IdentityFile.load(broker.adminIdentityPath()),
                         server.address())) {
                assertThat(replay(admin, acked)).as("replay after a restart on the full disk").isGreaterThanOrEqualTo(acked);
                fill(mnt.resolve("filler-2"));
                assertThat(refusal(admin)).as("still full").isEqualTo(ErrorCode.DISK_FULL);
            }
            assertThat(tmpFiles(mnt)).isEmpty();
        } finally {
            unmount(mnt);
        }
    }

    /** Publishes on a logged channel until the disk is full; returns how many events were acknowledged. */
    private long fillTheDisk(Path data) throws Exception {
        try (Broker broker = Broker.open(data, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0))) {
            IdentityFile adminId = IdentityFile.load(broker.adminIdentityPath());
            long acked = 0;
            try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId, server.address())) {
                admin.createChannel(new ChannelSpec("logged", ChannelClass.DEFAULT.withPersistence(Persistence.LOG,
                        FsyncPolicy.ALWAYS), Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
                try (Publisher p = admin.publisher("logged")) {
                    while (true) {
                        long s = p.publish(bigEvent(acked));
                        try {
                            p.awaitAcknowledged(s, Duration.ofSeconds(10));
                        } catch (BrokerException e) {
                            assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.DISK_FULL);
                            break;
                        }
                        acked++;
                        if (acked > 10_000) {
                            fail("an 8 MiB disk took 10,000 events of 100 KB");
                        }
                    }
                }
            }
            try (RemoteBrokerClient admin = RemoteBrokerClient.connect(adminId, server.address())) {
                assertThat(refusal(admin)).as("a new publisher on the full disk").isEqualTo(ErrorCode.DISK_FULL);
                assertThat(replay(admin, acked)).as("replay on the full disk").isGreaterThanOrEqualTo(acked);
            }
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> broker.metrics().logFailures("logged").get() == 1);
            return acked;
        }
    }

    private static Event bigEvent(long i) {
        byte[] noise = new byte[50_000];
        ThreadLocalRandom.current().nextBytes(noise);
        return Event.message("big", i, "test", Map.of("noise", HexFormat.of().formatHex(noise)));
    }

    private static ErrorCode refusal(RemoteBrokerClient client) throws Exception {
        try (Publisher p = client.publisher("logged")) {
            long s = p.publish(bigEvent(-1));
            try {
                p.awaitAcknowledged(s, Duration.ofSeconds(10));
            } catch (BrokerException e) {
                return e.code();
            }
        }
        return null;
    }

    /** Replays the channel from offset 0; returns how many events came, checking they are 0, 1, 2, ... */
    private static long replay(RemoteBrokerClient client, long atLeast) throws Exception {
        List<Long> offsets = new CopyOnWriteArrayList<>();
        try (Subscription s = client.subscribe("logged", StartPosition.fromOffset(0), d -> offsets.add(d.offset()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> offsets.size() >= atLeast);
        }
        assertThat(offsets).containsExactlyElementsOf(LongStream.range(0, offsets.size()).boxed().toList());
        return offsets.size();
    }

    /** Takes whatever space is left. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("No space left on device");
        }
    }

    private static List<Path> tmpFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static void mount(Path dir) throws Exception {
        int rc = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString());
        if (rc != 0) {
            if ("true".equals(System.getenv("CI"))) {
                fail("cannot mount a tmpfs on " + dir + " (exit " + rc + "): this test needs root in CI");
            }
            assumeThat(rc).as("mounting a tmpfs needs root; skipped outside CI").isZero();
        }
    }

    private static void unmount(Path dir) throws Exception {
        if (run("umount", dir.toString()) != 0) {
            run("umount", "-l", dir.toString());
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
