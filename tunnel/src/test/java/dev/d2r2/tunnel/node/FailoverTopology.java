package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The thesis's testbed in namespaces: an EN (the client runs there too) with one link to each of
 * two DNs, and the DNs on one LAN (a bridge in the server's namespace) with the server. The EN's
 * primary is dn1 (pool 10.77.1.0/24), its secondary dn2 (pool 10.77.2.0/24); the server reaches
 * the client network on-link, so the DN carrying an EN answers ARP for it (proxy ARP) and takes
 * it over with a gratuitous ARP.
 */
public final class FailoverTopology extends DualHomedTopology {
    public static final String SERVER = "10.99.0.2";
    /** Half a second of silence before a DN counts as lost: JVMs starting on a loaded CI machine pause longer than 30 ms. */
    public static final String TOLERANT_BFD = "{tx: 50ms, rx: 50ms, multiplier: 10, idle: 100ms}";
    /** How long the topology's JVMs, starting at once on a loaded 2-core machine, may take to be up. */
    public static final Duration START = Duration.ofSeconds(120);
    public final Netns srv;

    private FailoverTopology(Path dir, List<Netns> all) {
        super(dir, all);
        this.srv = all.get(3);
    }

    public static FailoverTopology create(Path dir, String bfd) throws Exception {
        return create(dir, bfd, "d2r2-tun");
    }

    /** As above, with the namespaces named {@code prefix}-en, -dn1, -dn2 and -srv (a test of its own takes its own prefix). */
    public static FailoverTopology create(Path dir, String bfd, String prefix) throws Exception {
        return create(dir, List.of(prefix + "-en", prefix + "-dn1", prefix + "-dn2", prefix + "-srv"), FailoverTopology::new, bfd);
    }

    @Override
    void wire() throws Exception {
        linkEnToDns("d2r2-tun-");
        srv.ip("link", "add", "d2r2-tun-br", "type", "bridge");
        srv.ip("addr", "add", SERVER + "/24", "dev", "d2r2-tun-br");
        srv.ip("link", "set", "d2r2-tun-br", "up");
        veth(dn1, "d2r2-tun-h1", "10.99.0.11/24", srv, "d2r2-tun-s1", null);
        veth(dn2, "d2r2-tun-h2", "10.99.0.12/24", srv, "d2r2-tun-s2", null);
        srv.ip("link", "set", "d2r2-tun-s1", "master", "d2r2-tun-br");
        srv.ip("link", "set", "d2r2-tun-s2", "master", "d2r2-tun-br");
        srv.ip("route", "add", "10.77.0.0/16", "dev", "d2r2-tun-br");
        sysctl(srv, "net.ipv4.neigh.d2r2-tun-br.locktime=0");
        sysctl(dn1, "net.ipv4.ip_forward=1");
        sysctl(dn2, "net.ipv4.ip_forward=1");
        sysctl(dn1, "net.ipv4.neigh.d2r2-tun-h1.proxy_delay=0");
        sysctl(dn2, "net.ipv4.neigh.d2r2-tun-h2.proxy_delay=0");
    }

    /** Writes the identities and the configurations (the DNs', the EN's and a DN failure detector's, which the DNs take fences from); {@code bfd} is the {@code bfd:} block's flow mapping. */
    @Override
    void writeConfigs(String bfdTimers) throws IOException {
        String fd = identity(dir, "fd1");
        String bfd = writeEnAndDns(dir, "10.99.0.0/24", i -> """
                announce: d2r2-tun-h%d
                fencers: [{tunnel: 900, public-key: %s}]
                """.formatted(i, fd), bfdTimers);
        Files.writeString(dir.resolve("dnfd.yaml"), """
                name: fd1
                tunnel: 900
                identity: fd1.identity
                address: 10.77.255.1
                watch:
                  - {name: dn1, address: 10.1.1.2:4789, public-key: %s}
                  - {name: dn2, address: 10.1.2.2:4789, public-key: %s}
                probe-every: 100ms
                suspect-after: 5
                api: 127.0.0.1:7391
                api-token: fence.token
                """.formatted(publicKey(dir, "dn1"), publicKey(dir, "dn2")) + bfd);
    }
}
