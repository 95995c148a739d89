package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The thesis's testbed with an edge service router: an EN with one link to each of two DNs, each DN
 * with its own link to the ESR, and a service behind the ESR (10.3.9.2, default route through it).
 * The DNs do not announce anything; they report the ENs they carry to the ESR (10.3.1.1 from dn1,
 * 10.3.2.1 from dn2, port 4790), and the ESR routes each EN's address via the DN carrying it.
 */
final class EsrTopology implements AutoCloseable {
    static final String SERVICE = "10.3.9.2";
    static final String ESR_PORT = "4790";
    final Netns en;
    final Netns dn1;
    final Netns dn2;
    final Netns esr;
    final Netns svc;
    final Path dir;
    private final List<Netns> all;

    private EsrTopology(Path dir, List<Netns> all) {
        this.dir = dir;
        this.all = all;
        this.en = all.get(0);
        this.dn1 = all.get(1);
        this.dn2 = all.get(2);
        this.esr = all.get(3);
        this.svc = all.get(4);
    }

    static EsrTopology create(Path dir, String bfd) throws Exception {
        List<Netns> made = new ArrayList<>();
        try {
            for (String n : List.of("d2r2-esr-en", "d2r2-esr-dn1", "d2r2-esr-dn2", "d2r2-esr-r", "d2r2-esr-svc")) {
                made.add(Netns.create(n));
            }
            EsrTopology t = new EsrTopology(dir, made);
            t.wire();
            t.writeConfigs(bfd);
            return t;
        } catch (Exception e) {
            made.forEach(Netns::close);
            throw e;
        }
    }

    private void wire() throws Exception {
        FailoverTopology.veth(en, "esr-e1", "10.1.1.1/24", dn1, "esr-d1", "10.1.1.2/24");
        FailoverTopology.veth(en, "esr-e2", "10.1.2.1/24", dn2, "esr-d2", "10.1.2.2/24");
        FailoverTopology.veth(dn1, "esr-h1", "10.3.1.2/24", esr, "esr-r1", "10.3.1.1/24");
        FailoverTopology.veth(dn2, "esr-h2", "10.3.2.2/24", esr, "esr-r2", "10.3.2.1/24");
        FailoverTopology.veth(svc, "esr-s", SERVICE + "/24", esr, "esr-rs", "10.3.9.1/24");
        svc.ip("route", "add", "default", "via", "10.3.9.1");
        dn1.ip("route", "add", "10.3.9.0/24", "via", "10.3.1.1");
        dn2.ip("route", "add", "10.3.9.0/24", "via", "10.3.2.1");
        for (Netns router : List.of(dn1, dn2, esr)) {
            FailoverTopology.sysctl(router, "net.ipv4.ip_forward=1");
        }
    }

    private void writeConfigs(String bfdTimers) throws IOException {
        FailoverTopology.writeEnAndDns(dir, "10.3.9.0/24",
                i -> "esr: {address: 10.3.%d.1:%s, tunnel: 901, report-every: 100ms}\n".formatted(i, ESR_PORT), bfdTimers);
        Files.writeString(dir.resolve("esr.yaml"), """
                name: esr1
                tunnel: 901
                key: tunnel.key
                listen: 0.0.0.0:%s
                dns:
                  - {name: dn1, via: 10.3.1.2}
                  - {name: dn2, via: 10.3.2.2}
                expire-after: 1s
                status-every: 200ms
                """.formatted(ESR_PORT));
    }

    NodeProcess start(Netns ns, String role, String config) throws IOException {
        return NodeProcess.start(ns.name(), role, dir.resolve(config), dir.resolve(config + ".log"));
    }

    /** The ESR's return routes ({@code ip route show proto 77}), one per line. */
    String esrRoutes() throws IOException, InterruptedException {
        return esr.output("ip", "route", "show", "proto", KernelRoutes.PROTOCOL).strip();
    }

    void dump(java.io.PrintStream out) throws IOException {
        FailoverTopology.dump(dir, out);
    }

    @Override
    public void close() {
        all.forEach(Netns::close);
    }
}
