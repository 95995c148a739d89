package dev.d2r2.tunnel.node;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * What the testbeds in namespaces share: an EN with one link to each of two DNs (10.1.1.0/24 to dn1,
 * 10.1.2.0/24 to dn2), the namespaces behind the DNs that each testbed adds, and the directory of
 * the nodes' configurations and logs. The first three namespaces are the EN and the DNs.
 */
public abstract class DualHomedTopology implements AutoCloseable {
    public final Netns en;
    public final Netns dn1;
    public final Netns dn2;
    public final Path dir;
    private final List<Netns> all;

    DualHomedTopology(Path dir, List<Netns> all) {
        this.dir = dir;
        this.all = List.copyOf(all);
        this.en = all.get(0);
        this.dn1 = all.get(1);
        this.dn2 = all.get(2);
    }

    /**
     * Creates the namespaces {@code names} (the EN, dn1, dn2, then the testbed's own), has {@code topology} make the
     * testbed of them, wires it and writes its configurations with {@code bfd} as the {@code bfd:} block's flow
     * mapping; the namespaces made are deleted when any step fails.
     */
    static <T extends DualHomedTopology> T create(Path dir, List<String> names, BiFunction<Path, List<Netns>, T> topology,
                                                  String bfd) throws Exception {
        List<Netns> made = new ArrayList<>();
        try {
            for (String n : names) {
                made.add(Netns.create(n));
            }
            T t = topology.apply(dir, made);
            t.wire();
            t.writeConfigs(bfd);
            return t;
        } catch (Exception e) {
            made.forEach(Netns::close);
            throw e;
        }
    }

    /** Links the EN to the DNs, the interfaces named {@code prefix} + e1, e2 on the EN's side and d1, d2 on the DNs'. */
    final void linkEnToDns(String prefix) throws IOException {
        veth(en, prefix + "e1", "10.1.1.1/24", dn1, prefix + "d1", "10.1.1.2/24");
        veth(en, prefix + "e2", "10.1.2.1/24", dn2, prefix + "d2", "10.1.2.2/24");
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

    /**
     * Writes the keys and the configurations of the EN (en1, on dn1 at 10.1.1.2 and dn2 at 10.1.2.2, with {@code routes}
     * through them) and of the two DNs, each DN's ending with {@code dnLines} of its number; returns the {@code bfd:}
     * line, {@code bfdTimers} its flow mapping, for the other nodes' configurations. Every node keys its tunnels by its
     * d2r2 identity: {@code dnLines} may name the public keys of identities written before ({@link #identity}).
     */
    static String writeEnAndDns(Path dir, String routes, IntFunction<String> dnLines, String bfdTimers) throws IOException {
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
    public static String identity(Path dir, String name) throws IOException {
        KeyPair pair = Crypto.newSigningKeyPair();
        Path file = dir.resolve(name + ".identity");
        new IdentityFile(name, Crypto.randomBytes(32), pair.getPrivate(), pair.getPublic(), "", "").save(file);
        return TunnelNode.publicKey(file);
    }

    /** The tunnel public key of the identity file {@code name.identity} written before. */
    static String publicKey(Path dir, String name) throws IOException {
        return TunnelNode.publicKey(dir.resolve(name + ".identity"));
    }

    abstract void wire() throws Exception;

    abstract void writeConfigs(String bfdTimers) throws IOException;

    public NodeProcess start(Netns ns, String role, String config) throws IOException {
        return NodeProcess.start(ns.name(), role, dir.resolve(config), dir.resolve(config + ".log"));
    }

    /** Every node's stderr log and every config, for a failed test's report. */
    public void dump(java.io.PrintStream out) throws IOException {
        dump(dir, out);
    }

    /** Every file of a topology's directory but the secrets: the nodes' logs and configurations. */
    private static void dump(Path dir, java.io.PrintStream out) throws IOException {
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
