package dev.d2r2.migrate.dns;

import dev.d2r2.core.testing.Peers;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real knotd on 127.0.0.1 for tests: one zone, {@code svc.ZONE} at 192.0.2.1, updates allowed
 * to one TSIG key; config, rundir and storage in the given directory.
 */
final class KnotServer implements AutoCloseable {
    static final Path KNOTD = Path.of("/usr/sbin/knotd");
    static final Path KDIG = Path.of("/usr/bin/kdig");

    private final Process process;
    private final int port;
    private final Path log;

    KnotServer(Path dir, String zone, TsigKey key) throws IOException {
        Peers.require(KNOTD, "knot");
        Peers.require(KDIG, "knot-dnsutils");
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("storage"));
        Files.writeString(dir.resolve("storage").resolve(zone + ".zone"), """
                $ORIGIN %s.
                $TTL 60
                @   SOA ns hostmaster 1 3600 600 86400 60
                @   NS  ns
                ns  A   127.0.0.1
                svc A   192.0.2.1
                """.formatted(zone));
        Files.writeString(dir.resolve("knot.conf"), """
                server:
                    rundir: "%1$s/run"
                    listen: 127.0.0.1@%2$d
                    udp-workers: 1
                    tcp-workers: 1
                    background-workers: 1
                database:
                    storage: "%1$s/storage"
                key:
                  - id: %3$s
                    algorithm: hmac-sha256
                    secret: %4$s
                acl:
                  - id: updaters
                    key: %3$s
                    action: update
                template:
                  - id: default
                    storage: "%1$s/storage"
                    zonefile-sync: -1
                    journal-content: none
                zone:
                  - domain: %5$s
                    acl: updaters
                log:
                  - target: stderr
                    any: info
                """.formatted(dir, port, key.name(), java.util.Base64.getEncoder().encodeToString(key.secret()), zone));
        log = dir.resolve("knotd.log");
        process = new ProcessBuilder(KNOTD.toString(), "-c", dir.resolve("knot.conf").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("knotd exited: " + Files.readString(log));
            }
            return query("svc." + zone).contains("192.0.2.1");
        });
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The A records of {@code name} as kdig reads them from this server, one per line. */
    String query(String name) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KDIG.toString(), "@127.0.0.1", "-p", Integer.toString(port),
                "+short", "+time=1", "+retry=0", name, "A"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out.strip();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
