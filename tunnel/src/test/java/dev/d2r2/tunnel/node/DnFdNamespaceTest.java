package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.probe.EchoServer;
import dev.d2r2.tunnel.probe.SeqProbe;
import dev.d2r2.tunnel.tun.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The thesis's testbed with a DN failure detector in the EN's namespace: dn1 drops every data
 * frame (nftables, matching the GRE protocol type on its tunnel port) but answers BFD, so the EN
 * stays on it (while its BFD holds) and the stream stops. The detector suspects dn1 for data; the fence the policy
 * engine would order is posted to the detector's API (the policy itself is tested by its rule
 * tests); dn1 stops serving, and the EN fails over to dn2, where the stream flows again.
 */
class DnFdNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(60);

    @Test
    void aDnThatDropsDataButAnswersBfdIsSuspectedFencedAndLeft(@TempDir Path dir) throws Exception {
        try (FailoverTopology t = FailoverTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             NodeProcess dn1 = t.start(t.dn1, "dn", "dn1.yaml");
             NodeProcess dn2 = t.start(t.dn2, "dn", "dn2.yaml");
             NodeProcess en = t.start(t.en, "en", "en.yaml");
             NodeProcess fd = t.start(t.en, "dnfd", "dnfd.yaml");
             EchoServer echo = t.srv.call(() -> EchoServer.start(new InetSocketAddress(FailoverTopology.SERVER, 7000)))) {
            try {
                await().atMost(FailoverTopology.START).until(() -> "dn1".equals(lastDn(en)) && fd.printed(verdict("dn1", "alive"))
                        && fd.printed(verdict("dn2", "alive")));
                SeqProbe probe = t.en.call(() -> SeqProbe.start(new InetSocketAddress(FailoverTopology.SERVER, 7000), 200, 60_000));
                try (probe) {
                    await().atMost(STEP).until(() -> probe.received() > 20);

                    run(t.dn1, "nft", "add table inet tunfd; add chain inet tunfd in { type filter hook input priority 0; }; "
                            + "add rule inet tunfd in udp dport 4789 @th,80,16 0x0800 drop");
                    await().atMost(STEP).until(() -> fd.printed(verdict("dn1", "suspected").and(l -> l.contains("\"reason\":\"data\""))));

                    String token = Files.readString(dir.resolve("fence.token")).strip();
                    run(t.en, "curl", "-sf", "-H", "Authorization: Bearer " + token, "-d",
                            "{\"call\":\"deploy\",\"op\":\"fence\",\"target\":\"dn1\"}", "http://127.0.0.1:7391/actions");
                    await().atMost(STEP).until(() -> dn1.printed(l -> l.contains("\"reason\":\"fenced\"")) && "dn2".equals(lastDn(en)));
                    long mark = probe.sent();
                    await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 10);
                    assertThat(lastDn(en)).as("a fenced DN does not take the traffic back").isEqualTo("dn2");
                }
            } catch (Throwable failure) {
                t.dump(System.err);
                for (NodeProcess p : List.of(en, dn1, dn2, fd)) {
                    p.lines.forEach(System.err::println);
                }
                throw failure;
            }
        }
    }

    private static void run(Netns ns, String... command) throws IOException, InterruptedException {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns.name();
        System.arraycopy(command, 0, full, 4, command.length);
        Process p = new ProcessBuilder(full).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed in " + ns.name());
        }
    }

    /** The DN the EN sends through after its last change, or null before any. */
    private static String lastDn(NodeProcess en) {
        String last = null;
        for (String l : en.lines) {
            if (l.contains("\"type\":\"tunnel.en.dn\"")) {
                int at = l.indexOf("\"to\":\"") + 6;
                last = l.substring(at, l.indexOf('"', at));
            }
        }
        return last;
    }

    private static Predicate<String> verdict(String dn, String to) {
        return l -> l.contains("\"type\":\"tunnel.dn.suspected\"") && l.contains("\"to\":\"" + to + "\"") && l.contains("\"dn\":\"" + dn + "\"");
    }
}
