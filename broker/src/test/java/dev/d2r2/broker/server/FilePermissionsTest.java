package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Channel logs hold unencrypted payloads and the data directory holds secrets: no other local user may read them. */
class FilePermissionsTest {
    @TempDir
    Path tmp;

    @Test
    void theDataDirectoryIs0700AndEveryFileInIt0600() throws Exception {
        Path data = tmp.resolve("a/data");
        try (Broker broker = Broker.open(data, Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0));
             BrokerClient admin = broker.connectLocal(Broker.ADMIN)) {
            admin.createChannel(new ChannelSpec("logged", ChannelClass.DEFAULT.withPersistence(Persistence.LOG,
                    FsyncPolicy.parse("always")), Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            broker.localIdentity("probe", false);
            try (Publisher p = admin.publisher("logged")) {
                p.publish(Event.message("e", 1, "test", Map.of()));
            }
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(data)) {
            all = s.toList();
        }
        assertThat(all).as("logs, identities, TLS key, control table").hasSizeGreaterThan(6)
                .anyMatch(p -> p.toString().endsWith(".log"))
                .anyMatch(p -> p.toString().endsWith(".identity"))
                .noneMatch(p -> p.toString().endsWith(".tmp"));
        for (Path p : all) {
            assertThat(mode(p)).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
        }
        assertThat(mode(tmp.resolve("a"))).as("a parent the broker created").isEqualTo("rwx------");
    }

    @Test
    void anExistingDataDirectoryOpenToOthersIsNarrowed() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Broker broker = Broker.open(data, Clock.system())) {
            assertThat(mode(data)).isEqualTo("rwx------");
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
