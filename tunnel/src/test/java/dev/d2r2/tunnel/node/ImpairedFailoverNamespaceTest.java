package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.tun.Impairments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static dev.d2r2.tunnel.node.FailoverNamespaceTest.STEP;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.carrier;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.enDn;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.flows;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.sessionUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failover topology impaired and cut (issue 20 items 6 and "faults"): with 5 % of the packets
 * on the EN's link to dn1 dropped each way (nftables), the stream loses datagrams but the EN stays
 * on dn1, as BFD needs ten packets lost in a row; dn1's link taken down, the EN fails over to dn2
 * and back when it returns; dn2 killed and dn1's link down again, the EN has no DN, says so
 * ({@code lost}) and keeps greeting them, and takes dn1 again once its link is back.
 */
class ImpairedFailoverNamespaceTest {
    private static final String DN1_LINK = "d2r2-tun-d1";

    @Test
    void lossDoesNotMoveTheEnButALinkDownDoesAndWithNoDnLeftItKeepsTrying(@TempDir Path dir) throws Exception {
        try (FailoverTopology t = FailoverTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             NodeProcess dn1 = t.start(t.dn1, "dn", "dn1.yaml")) {
            NodeProcess dn2 = t.start(t.dn2, "dn", "dn2.yaml");
            NodeProcess en = t.start(t.en, "en", "en.yaml");
            try (EchoServer echo = t.srv.call(() -> EchoServer.start(new InetSocketAddress(FailoverTopology.SERVER, 7000)))) {
                await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "connected")) && en.printed(sessionUp("dn2")));
                SeqProbe probe = t.en.call(() -> SeqProbe.start(new InetSocketAddress(FailoverTopology.SERVER, 7000), 500, 1_000_000));
                try (probe) {
                    flows(probe);
                    Impairments link = new Impairments(t.dn1, DN1_LINK);
                    link.loss(5);
                    long from = probe.sent();
                    await().atMost(STEP).until(() -> probe.highestEchoed() > from + 2_500);
                    long lost = probe.gaps(probe.highestEchoed()).stream().filter(g -> g.first() > from)
                            .mapToLong(SeqProbe.Gap::length).sum();
                    assertThat(lost).as("the loss is real").isPositive();
                    assertThat(en.printed(enDn("dn2", "failover"))).as("but the EN stays on dn1").isFalse();
                    link.clear();

                    t.dn1.ip("link", "set", DN1_LINK, "down");
                    await().atMost(STEP).until(() -> en.printed(enDn("dn2", "failover")));
                    flows(probe);
                    assertThat(dn2.printed(carrier("carrying"))).isTrue();
                    t.dn1.ip("link", "set", DN1_LINK, "up");
                    await().atMost(STEP).until(() -> en.printed(enDn("dn1", "failback")));
                    flows(probe);

                    // a link down can bring a brief "lost" before the failover: count from here
                    long losses = en.count(enDn("none", "lost"));
                    long failbacks = en.count(enDn("dn1", "failback"));
                    dn2.kill9();
                    t.dn1.ip("link", "set", DN1_LINK, "down");
                    await().atMost(STEP).until(() -> en.count(enDn("none", "lost")) > losses);
                    t.dn1.ip("link", "set", DN1_LINK, "up");
                    await().atMost(STEP).until(() -> en.count(enDn("dn1", "failback")) > failbacks);
                    flows(probe);
                }
            } catch (Throwable failure) {
                t.dump(System.err);
                for (NodeProcess p : List.of(en, dn1, dn2)) {
                    p.lines.forEach(System.err::println);
                }
                throw failure;
            } finally {
                en.close();
                dn2.close();
            }
        }
    }
}
