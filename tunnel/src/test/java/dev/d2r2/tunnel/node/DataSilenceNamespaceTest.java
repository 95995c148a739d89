package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.tun.Impairments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.d2r2.tunnel.node.FailoverNamespaceTest.enDn;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.flows;
import static dev.d2r2.tunnel.node.FailoverNamespaceTest.sessionUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The EN's detection by the data path ({@code data-silence}) in namespaces: nftables in dn1's
 * namespace drops the tunnel's data frames that reach it and lets its control frames through, so
 * dn1 keeps answering BFD while a stream through it gets nothing back. The EN leaves dn1 for dn2
 * with reason {@code data} (not a BFD failover), and the stream flows again through dn2.
 */
class DataSilenceNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(60);
    private final List<AutoCloseable> open = new ArrayList<>();
    private FailoverTopology topology;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void aDnThatDropsDataButAnswersBfdIsLeftOnDataSilence(@TempDir Path dir) throws Exception {
        FailoverTopology t = topology = FailoverTopology.create(dir, FailoverTopology.TOLERANT_BFD, "d2r2-tds");
        Files.writeString(dir.resolve("en.yaml"), "data-silence: 1s\n", StandardOpenOption.APPEND);
        NodeProcess dn1 = started(t.start(t.dn1, "dn", "dn1.yaml"));
        started(t.start(t.dn2, "dn", "dn2.yaml"));
        NodeProcess en = started(t.start(t.en, "en", "en.yaml"));
        try {
            EchoServer echo = t.srv.call(() -> EchoServer.start(new InetSocketAddress(FailoverTopology.SERVER, 7000)));
            open.add(echo);
            await().atMost(FailoverTopology.START).until(() -> en.printed(enDn("dn1", "connected")) && en.printed(sessionUp("dn2")));
            SeqProbe probe = t.en.call(() -> SeqProbe.start(new InetSocketAddress(FailoverTopology.SERVER, 7000), 500, 1_000_000));
            open.add(probe);
            flows(probe);

            new Impairments(t.dn1, "d2r2-tun-d1").dropTunnelData(4789);
            await().atMost(STEP).until(() -> en.printed(enDn("dn2", "data")));
            flows(probe);
            assertThat(en.printed(enDn("dn2", "failover"))).as("dn1 stayed Up on BFD: the move was the data path's").isFalse();
        } catch (Throwable failure) {
            t.dump(System.err);
            en.lines.forEach(System.err::println);
            dn1.lines.forEach(System.err::println);
            throw failure;
        }
    }

    private NodeProcess started(NodeProcess p) {
        open.add(p);
        return p;
    }
}
