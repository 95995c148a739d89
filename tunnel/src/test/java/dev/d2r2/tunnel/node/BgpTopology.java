package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.tun.Netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The ESR as a BGP route server: an EN with one link to each of two DNs, and the DNs, the ESR and
 * the service router on one LAN (a bridge in the service's namespace, 10.99.0.0/24). The DNs report
 * the ENs they carry to the ESR (10.99.0.3), which routes each EN's address via the DN carrying it
 * (proto 77). BIRD in the ESR's namespace learns those kernel routes and announces them by eBGP,
 * the DN kept as next hop, to BIRD in the service's namespace, which installs them in its kernel:
 * the service has no other route to the ENs, so its traffic to an EN follows that BGP route.
 */
final class BgpTopology extends DualHomedTopology {
    static final String SERVICE = "10.99.0.2";
    static final String ESR = "10.99.0.3";
    static final String DN1_HOP = "10.99.0.11";
    static final String DN2_HOP = "10.99.0.12";
    /** The BIRD configurations, written for these addresses. */
    private static final Path EXAMPLES = Path.of("../examples/tunnel");
    final Netns esr;
    final Netns svc;

    private BgpTopology(Path dir, List<Netns> all) {
        super(dir, all);
        this.esr = all.get(3);
        this.svc = all.get(4);
    }

    static BgpTopology create(Path dir, String bfd) throws Exception {
        return create(dir, List.of("d2r2-bgp-en", "d2r2-bgp-dn1", "d2r2-bgp-dn2", "d2r2-bgp-esr", "d2r2-bgp-svc"), BgpTopology::new, bfd);
    }

    @Override
    void wire() throws Exception {
        linkEnToDns("bgp-");
        svc.ip("link", "add", "bgp-br", "type", "bridge");
        svc.ip("addr", "add", SERVICE + "/24", "dev", "bgp-br");
        svc.ip("link", "set", "bgp-br", "up");
        veth(dn1, "bgp-h1", DN1_HOP + "/24", svc, "bgp-s1", null);
        veth(dn2, "bgp-h2", DN2_HOP + "/24", svc, "bgp-s2", null);
        veth(esr, "bgp-r", ESR + "/24", svc, "bgp-s3", null);
        for (String port : List.of("bgp-s1", "bgp-s2", "bgp-s3")) {
            svc.ip("link", "set", port, "master", "bgp-br");
        }
        sysctl(dn1, "net.ipv4.ip_forward=1");
        sysctl(dn2, "net.ipv4.ip_forward=1");
    }

    @Override
    void writeConfigs(String bfdTimers) throws IOException {
        String esrKey = identity(dir, "esr1");
        writeEnAndDns(dir, "10.99.0.0/24",
                i -> "esr: {address: %s:4790, tunnel: 901, public-key: %s, report-every: 100ms}\n".formatted(ESR, esrKey), bfdTimers);
        Files.writeString(dir.resolve("esr.yaml"), """
                name: esr1
                tunnel: 901
                identity: esr1.identity
                listen: 0.0.0.0:4790
                dns:
                  - {name: dn1, via: %s, public-key: %s}
                  - {name: dn2, via: %s, public-key: %s}
                expire-after: 1s
                status-every: 1s
                """.formatted(DN1_HOP, publicKey(dir, "dn1"), DN2_HOP, publicKey(dir, "dn2")));
    }

    /** The ESR's BIRD, with examples/tunnel/bird-esr.conf: learns the ESR's kernel routes (proto 77) and announces them, next hop kept. */
    Bird startEsrBird() throws IOException {
        return Bird.start(esr, dir, "bird-esr", Files.readString(EXAMPLES.resolve("bird-esr.conf")));
    }

    /** The service router's BIRD, with examples/tunnel/bird-service.conf: takes the ESR's routes by BGP into its kernel. */
    Bird startServiceBird() throws IOException {
        return Bird.start(svc, dir, "bird-svc", Files.readString(EXAMPLES.resolve("bird-service.conf")));
    }

    /** The service's kernel route to {@code address} ({@code ip route show A/32}), empty when there is none. */
    String serviceRoute(String address) throws IOException, InterruptedException {
        return svc.output("ip", "route", "show", address + "/32").strip();
    }
}
