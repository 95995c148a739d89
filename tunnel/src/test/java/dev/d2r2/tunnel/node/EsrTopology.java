package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The thesis's testbed with an edge service router: an EN with one link to each of two DNs, each DN
 * with its own link to the ESR, and a service behind the ESR (10.3.9.2, default route through it).
 * The DNs do not announce anything, and the ESR routes each EN's address via the DN carrying it:
 * as they report the ENs they carry to it (10.3.1.1 from dn1, 10.3.2.1 from dn2, port 4790), or,
 * {@link #mapped}, as they publish them on a broker, the ESR listening for no reports.
 */
public final class EsrTopology extends DualHomedTopology {
    public static final String SERVICE = "10.3.9.2";
    public static final String ESR_PORT = "4790";
    public final Netns esr;
    public final Netns svc;
    /** Of the namespaces' and interfaces' names. */
    private final String prefix;
    private final boolean mapped;

    private EsrTopology(Path dir, List<Netns> all, String prefix, boolean mapped) {
        super(dir, all);
        this.esr = all.get(3);
        this.svc = all.get(4);
        this.prefix = prefix;
        this.mapped = mapped;
    }

    /** The DNs report to the ESR; the namespaces are d2r2-esr-*. */
    static EsrTopology create(Path dir, String bfd) throws Exception {
        return make(dir, "esr", false, bfd);
    }

    /** The DNs report nothing to the ESR (they publish the map on a broker: their command line's business); the namespaces are d2r2-emap-*. */
    public static EsrTopology mapped(Path dir, String bfd) throws Exception {
        return make(dir, "emap", true, bfd);
    }

    private static EsrTopology make(Path dir, String prefix, boolean mapped, String bfd) throws Exception {
        List<String> names = List.of("en", "dn1", "dn2", "r", "svc").stream().map(n -> "d2r2-" + prefix + "-" + n).toList();
        return create(dir, names, (d, all) -> new EsrTopology(d, all, prefix, mapped), bfd);
    }

    @Override
    void wire() throws Exception {
        linkEnToDns(prefix + "-");
        veth(dn1, prefix + "-h1", "10.3.1.2/24", esr, prefix + "-r1", "10.3.1.1/24");
        veth(dn2, prefix + "-h2", "10.3.2.2/24", esr, prefix + "-r2", "10.3.2.1/24");
        veth(svc, prefix + "-s", SERVICE + "/24", esr, prefix + "-rs", "10.3.9.1/24");
        svc.ip("route", "add", "default", "via", "10.3.9.1");
        dn1.ip("route", "add", "10.3.9.0/24", "via", "10.3.1.1");
        dn2.ip("route", "add", "10.3.9.0/24", "via", "10.3.2.1");
        for (Netns router : List.of(dn1, dn2, esr)) {
            sysctl(router, "net.ipv4.ip_forward=1");
        }
    }

    @Override
    void writeConfigs(String bfdTimers) throws IOException {
        String esrKey = identity(dir, "esr1");
        writeEnAndDns(dir, "10.3.9.0/24", i -> mapped ? ""
                : "esr: {address: 10.3.%d.1:%s, tunnel: 901, public-key: %s, report-every: 100ms}\n".formatted(i, ESR_PORT, esrKey), bfdTimers);
        Files.writeString(dir.resolve("esr.yaml"), """
                name: esr1
                tunnel: 901
                identity: esr1.identity
                dns:
                  - {name: dn1, via: 10.3.1.2, public-key: %s}
                  - {name: dn2, via: 10.3.2.2, public-key: %s}
                status-every: 200ms
                """.formatted(publicKey(dir, "dn1"), publicKey(dir, "dn2")) + (mapped ? "" : """
                listen: 0.0.0.0:%s
                expire-after: 1s
                """.formatted(ESR_PORT)));
    }

    /** The ESR's return routes ({@code ip route show proto 77}), one per line. */
    public String esrRoutes() throws IOException, InterruptedException {
        return esr.output("ip", "route", "show", "proto", KernelRoutes.PROTOCOL).strip();
    }
}
