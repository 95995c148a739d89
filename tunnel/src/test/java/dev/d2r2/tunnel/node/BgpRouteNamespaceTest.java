package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Stream;

import static dev.d2r2.tunnel.node.EsrNamespaceTest.attr;
import static dev.d2r2.tunnel.node.EsrNamespaceTest.enDn;
import static dev.d2r2.tunnel.node.EsrNamespaceTest.flows;
import static dev.d2r2.tunnel.node.EsrNamespaceTest.route;
import static dev.d2r2.tunnel.node.EsrNamespaceTest.sessionUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ESR's return routes announced by a real routing daemon ({@link BgpTopology}): BIRD beside the
 * ESR learns its kernel routes and announces them by BGP to BIRD on the service's router, whose
 * kernel then routes the EN's address straight to the DN carrying it. A stream from the service to
 * the EN flows only through that BGP route. When the primary DN is killed (-9) the service's route
 * moves to the secondary, and back when the primary returns; the ESR's BIRD killed, the service keeps
 * the route (graceful restart) and the stream flows; when the EN goes, its route is withdrawn.
 */
class BgpRouteNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(30);

    @Test
    void theServiceLearnsByBgpWhichDnCarriesTheEnAcrossFailoverAndFailback(@TempDir Path dir) throws Exception {
        try (BgpTopology t = BgpTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             Bird serviceBird = t.startServiceBird();
             NodeProcess dn2 = t.start(t.dn2, "dn", "dn2.yaml");
             NodeProcess esr = t.start(t.esr, "esr", "esr.yaml");
             EchoServer echo = t.en.call(() -> EchoServer.start(new InetSocketAddress("0.0.0.0", 7000)))) {
            Bird esrBird = t.startEsrBird();
            NodeProcess dn1 = t.start(t.dn1, "dn", "dn1.yaml");
            NodeProcess en = t.start(t.en, "en", "en.yaml");
            NodeProcess restarted = null;
            Bird esrBirdAgain = null;
            try {
                await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "connected")) && en.printed(sessionUp("dn2")));
                String address = attr(en, enDn("dn1", "connected"), "address");
                await().atMost(STEP).until(() -> esr.printed(route(address, "dn1")));
                await().atMost(STEP).until(() -> t.serviceRoute(address).contains("via " + BgpTopology.DN1_HOP));
                assertThat(t.serviceRoute(address)).contains("proto bird");
                assertThat(serviceBird.birdc("show", "route", "for", address, "all"))
                        .contains("BGP.next_hop: " + BgpTopology.DN1_HOP).contains("AS65077");

                SeqProbe probe = t.svc.call(() -> SeqProbe.start(new InetSocketAddress(address, 7000), 200, 60_000));
                try (probe) {
                    await().atMost(STEP).until(() -> probe.received() > 20);

                    dn1.kill9();
                    await().atMost(STEP).until(() -> en.printed(enDn("dn2", "failover")));
                    await().atMost(STEP).until(() -> t.serviceRoute(address).contains("via " + BgpTopology.DN2_HOP));
                    flows(probe);
                    assertThat(serviceBird.birdc("show", "route", "for", address, "all")).contains("BGP.next_hop: " + BgpTopology.DN2_HOP);

                    restarted = t.start(t.dn1, "dn", "dn1.yaml");
                    await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "failback")));
                    await().atMost(STEP).until(() -> t.serviceRoute(address).contains("via " + BgpTopology.DN1_HOP));
                    flows(probe);

                    esrBird.kill9();
                    await().atMost(STEP).until(() -> !serviceBird.birdc("show", "protocols", "esr").contains("Established"));
                    assertThat(t.serviceRoute(address)).as("kept while the ESR's BIRD restarts").contains("via " + BgpTopology.DN1_HOP);
                    flows(probe);
                    esrBirdAgain = t.startEsrBird();
                    await().atMost(STEP).until(() -> serviceBird.birdc("show", "protocols", "esr").contains("Established"));
                    await().atMost(STEP).until(() -> serviceBird.birdc("show", "route", "for", address, "all").contains("BGP.next_hop: " + BgpTopology.DN1_HOP)
                            && !serviceBird.birdc("show", "route", "for", address, "all").contains("stale"));
                    flows(probe);
                    assertThat(probe.gaps(probe.highestEchoed())).as("loss only around the two moves").hasSizeLessThanOrEqualTo(4);
                }

                en.kill9();
                await().atMost(STEP).until(() -> esr.printed(route(address, "none")));
                await().atMost(STEP).until(() -> t.serviceRoute(address).isEmpty());
            } catch (Throwable failure) {
                t.dump(System.err);
                for (NodeProcess p : Stream.of(en, dn1, dn2, esr, restarted).filter(Objects::nonNull).toList()) {
                    p.lines.forEach(System.err::println);
                }
                System.err.println(serviceBird.birdc("show", "route", "all"));
                System.err.println(serviceBird.birdc("show", "protocols", "all"));
                throw failure;
            } finally {
                en.close();
                dn1.close();
                esrBird.close();
                if (restarted != null) {
                    restarted.close();
                }
                if (esrBirdAgain != null) {
                    esrBirdAgain.close();
                }
            }
        }
    }
}
