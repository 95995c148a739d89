package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.tunnel.tun.Netns;
import dev.d2r2.tunnel.wire.TunnelKey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The thesis's testbed in namespaces: an EN (the client runs there too) with one link to each of
 * two DNs, and the DNs on one LAN (a bridge in the server's namespace) with the server. The EN's
 * primary is dn1 (pool 10.77.1.0/24), its secondary dn2 (pool 10.77.2.0/24); the server reaches
 * the client network on-link, so the DN carrying an EN answers ARP for it (proxy ARP) and takes
 * it over with a gratuitous ARP.
 */
public final class FailoverTopology implements AutoCloseable {
    public static final String SERVER = "10.99.0.2";
    /** Half a second of silence before a DN counts as lost: JVMs starting on a loaded CI machine pause longer than 30 ms. */
    public static final String TOLERANT_BFD = "{tx: 50ms, rx: 50ms, multiplier: 10, idle: 100ms}";
    /** How long the topology's JVMs, starting at once on a loaded 2-core machine, may take to be up. */
    public static final Duration START = Duration.ofSeconds(120);
    public final Netns en;
    public final Netns dn1;
    public final Netns dn2;
    public final Netns srv;
    public final Path dir;
    private final List<Netns> all = new ArrayList<>();

    private FailoverTopology(Path dir, Netns en, Netns dn1, Netns dn2, Netns srv) {
        this.dir = dir;
        this.en = en;
        this.dn1 = dn1;
        this.dn2 = dn2;
        this.srv = srv;
        all.addAll(List.of(en, dn1, dn2, srv));
    }

    public static FailoverTopology create(Path dir, String bfd) throws Exception {
        return create(dir, bfd, "d2r2-tun");
    }

    /** As above, with the namespaces named {@code prefix}-en, -dn1, -dn2 and -srv (a test of its own takes its own prefix). */
    public static FailoverTopology create(Path dir, String bfd, String prefix) throws Exception {
        List<Netns> made = new ArrayList<>();
        try {
            for (String n : List.of("-en", "-dn1", "-dn2", "-srv")) {
                made.add(Netns.create(prefix + n));
            }
            FailoverTopology t = new FailoverTopology(dir, made.get(0), made.get(1), made.get(2), made.get(3));
            t.wire();
            t.writeConfigs(bfd);
            return t;
        } catch (Exception e) {
            made.forEach(Netns::close);
            throw e;
        }
    }

    private void wire() throws Exception {
        veth(en, "d2r2-tun-e1", "10.1.1.1/24", dn1, "d2r2-tun-d1", "10.1.1.2/24");
        veth(en, "d2r2-tun-e2", "10.1.2.1/24", dn2, "d2r2-tun-d2", "10.1.2.2/24");
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

    static void veth(Netns a, String aName, String aAddress, Netns b, String bName, String bAddress) throws IOException {
        a.ip("link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b.name());
        a.ip("addr", "add", aAddress, "dev", aName);
        a.ip("link", "set", aName, "up");
        if (bAddress != null) {
            b.ip("addr", "add", bAddress, "dev", bName);
        }
        b.ip("link", "set", bName, "up");
    }

    static void sysctl(Netns ns, String setting) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "sysctl", "-q", "-w", setting).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("sysctl " + setting + " failed in " + ns.name());
        }
    }

    /** Writes the key and the configurations (the DNs', the EN's and a DN failure detector's, which the DNs take fences from); {@code bfd} is the {@code bfd:} block's flow mapping. */
    private void writeConfigs(String bfdTimers) throws IOException {
        String bfd = writeEnAndDns(dir, "10.99.0.0/24", i -> """
                announce: d2r2-tun-h%d
                fencers: [900]
                """.formatted(i), bfdTimers);
        Files.writeString(dir.resolve("dnfd.yaml"), """
                name: fd1
                tunnel: 900
                key: tunnel.key
                address: 10.77.255.1
                watch:
                  - {name: dn1, address: 10.1.1.2:4789}
                  - {name: dn2, address: 10.1.2.2:4789}
                probe-every: 100ms
                suspect-after: 5
                api: 127.0.0.1:7391
                api-token: fence.token
                """ + bfd);
    }

    /**
     * Writes the keys and the configurations of the EN (en1, on dn1 at 10.1.1.2 and dn2 at 10.1.2.2, with {@code routes}
     * through them) and of the two DNs, each DN's ending with {@code dnLines} of its number; returns the {@code bfd:}
     * line, {@code bfdTimers} its flow mapping, for the other nodes' configurations. The EN and the DNs key their tunnel
     * by their d2r2 identities; the DNs also hold the master key, which the DN-FD and the ESR still seal with.
     */
    static String writeEnAndDns(Path dir, String routes, IntFunction<String> dnLines, String bfdTimers) throws IOException {
        TunnelKey.generate(dir.resolve("tunnel.key"));
        String en = identity(dir, "en1");
        String bfd = "bfd: " + bfdTimers + "\n";
        Files.writeString(dir.resolve("en.yaml"), """
                name: en1
                tunnel: 1
                identity: en1.identity
                device: d2r2-tun-en
                dns:
                  - {name: dn1, address: 10.1.1.2:4789, public-key: %s}
                  - {name: dn2, address: 10.1.2.2:4789, public-key: %s}
                routes: [%s]
                hello-every: 100ms
                """.formatted(identity(dir, "dn1"), identity(dir, "dn2"), routes) + bfd);
        for (int i = 1; i <= 2; i++) {
            Files.writeString(dir.resolve("dn" + i + ".yaml"), """
                    name: dn%d
                    key: tunnel.key
                    identity: dn%d.identity
                    ens: [{tunnel: 1, public-key: %s}]
                    listen: 10.1.%d.2:4789
                    device: d2r2-tun-dn
                    pool: 10.77.%d.0/24
                    clients: 10.77.0.0/16
                    """.formatted(i, i, en, i, i) + dnLines.apply(i) + bfd);
        }
        return bfd;
    }

    /** Writes a new d2r2 identity file {@code name.identity} and returns its tunnel public key. */
    static String identity(Path dir, String name) throws IOException {
        KeyPair pair = Crypto.newSigningKeyPair();
        Path file = dir.resolve(name + ".identity");
        new IdentityFile(name, Crypto.randomBytes(32), pair.getPrivate(), pair.getPublic(), "", "").save(file);
        return TunnelNode.publicKey(file);
    }

    public NodeProcess start(Netns ns, String role, String config) throws IOException {
        return NodeProcess.start(ns.name(), role, dir.resolve(config), dir.resolve(config + ".log"));
    }

    /** Every node's stderr log and every config, for a failed test's report. */
    public void dump(java.io.PrintStream out) throws IOException {
        dump(dir, out);
    }

    /** Every file of a topology's directory but the secrets: the nodes' logs and configurations. */
    static void dump(Path dir, java.io.PrintStream out) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().matches(".*\\.(key|token|identity)")) {
                    out.println("---- " + f.getFileName());
                    out.println(Files.readString(f));
                }
            }
        }
    }

    @Override
    public void close() {
        all.forEach(Netns::close);
    }
}
