package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The thesis's testbed with an edge service router: an EN with one link to each of two DNs, each DN
 * with its own link to the ESR, and a service behind the ESR (10.3.9.2, default route through it).
 * The DNs do not announce anything; they report the ENs they carry to the ESR (10.3.1.1 from dn1,
 * 10.3.2.1 from dn2, port 4790), and the ESR routes each EN's address via the DN carrying it.
 */
final class EsrTopology extends DualHomedTopology {
    static final String SERVICE = "10.3.9.2";
    static final String ESR_PORT = "4790";
    final Netns esr;
    final Netns svc;

    private EsrTopology(Path dir, List<Netns> all) {
        super(dir, all);
        this.esr = all.get(3);
        this.svc = all.get(4);
    }

    static EsrTopology create(Path dir, String bfd) throws Exception {
        return create(dir, List.of("d2r2-esr-en", "d2r2-esr-dn1", "d2r2-esr-dn2", "d2r2-esr-r", "d2r2-esr-svc"), EsrTopology::new, bfd);
    }

    @Override
    void wire() throws Exception {
        linkEnToDns("esr-");
        veth(dn1, "esr-h1", "10.3.1.2/24", esr, "esr-r1", "10.3.1.1/24");
        veth(dn2, "esr-h2", "10.3.2.2/24", esr, "esr-r2", "10.3.2.1/24");
        veth(svc, "esr-s", SERVICE + "/24", esr, "esr-rs", "10.3.9.1/24");
        svc.ip("route", "add", "default", "via", "10.3.9.1");
        dn1.ip("route", "add", "10.3.9.0/24", "via", "10.3.1.1");
        dn2.ip("route", "add", "10.3.9.0/24", "via", "10.3.2.1");
        for (Netns router : List.of(dn1, dn2, esr)) {
            sysctl(router, "net.ipv4.ip_forward=1");
        }
    }

    @Override
    void writeConfigs(String bfdTimers) throws IOException {
        writeEnAndDns(dir, "10.3.9.0/24",
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

    /** The ESR's return routes ({@code ip route show proto 77}), one per line. */
    String esrRoutes() throws IOException, InterruptedException {
        return esr.output("ip", "route", "show", "proto", KernelRoutes.PROTOCOL).strip();
    }
}
