package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.policy.events.ActionDecision;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.tunnel.node.FailoverTopology;
import dev.d2r2.tunnel.node.NodeProcess;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The thesis's testbed with a DN failure detector and the policy engine in the loop: dn1 drops
 * every data frame (nftables, matching the GRE protocol type on its tunnel port) but answers BFD,
 * so the EN stays on it and the stream stops. The detector ({@code d2r2 tunnel dnfd --channel
 * alerts}, in the EN's namespace) suspects dn1 for data and publishes it on a real broker; the
 * policy engine ({@code d2r2 policy run} with examples/policies/dn-fence.yaml) decides to fence
 * dn1 and calls the detector's fence API through its webhook actuator; dn1 stops serving, the EN
 * fails over to dn2 and the stream flows again. Nothing but the policy engine orders the fence.
 */
class DnFdNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    /** Apart from the topology's directory, whose files a failed test prints. */
    @TempDir
    Path brokerDir;

    @Test
    void aDnThatDropsDataButAnswersBfdIsFencedByThePolicyEngineAndLeft() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/nft")),
                "needs root, iproute2 and nftables for network namespaces");
        List<NodeProcess> processes = new ArrayList<>();
        try (FailoverTopology t = FailoverTopology.create(dir, FailoverTopology.TOLERANT_BFD);
             Broker broker = Broker.open(brokerDir, Clock.system());
             BrokerServer server = t.en.call(() -> BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0)));
             EchoServer echo = t.srv.call(() -> EchoServer.start(new InetSocketAddress(FailoverTopology.SERVER, 7000)))) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alerts", "actions")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            String[] client = {"--identity", broker.adminIdentityPath().toString(), "--broker", "127.0.0.1:" + server.address().getPort()};
            List<Delivery> decisions = new CopyOnWriteArrayList<>();
            try (Subscription actions = admin.subscribe("actions", StartPosition.live(), decisions::add)) {
                BearerToken.loadOrCreate(dir.resolve("fence.token"));
                Files.copy(Path.of("../examples/policies/dn-fence.yaml"), dir.resolve("dn-fence.yaml"));
                NodeProcess dn1 = add(processes, t.start(t.dn1, "dn", "dn1.yaml"));
                add(processes, t.start(t.dn2, "dn", "dn2.yaml"));
                NodeProcess en = add(processes, t.start(t.en, "en", "en.yaml"));
                NodeProcess fd = add(processes, NodeProcess.run(t.en.name(), dir.resolve("dnfd.log"), Main.class.getName(),
                        concat(new String[]{"tunnel", "dnfd", "--config", dir.resolve("dnfd.yaml").toString(), "--channel", "alerts"}, client)));
                try {
                    // the policy engine starts once the nodes run: a JVM starting beside the detector on a loaded
                    // machine can stall its probes long enough for a false suspicion, which would be fenced
                    await().atMost(FailoverTopology.START).until(() -> "dn1".equals(lastDn(en)) && "alive".equals(verdict(fd, "dn1"))
                            && "alive".equals(verdict(fd, "dn2")));
                    add(processes, NodeProcess.run(t.en.name(), dir.resolve("policy.log"), Main.class.getName(),
                            concat(new String[]{"policy", "run", "--policy", dir.resolve("dn-fence.yaml").toString(), "--input", "alerts",
                                    "--actions", "actions", "--audit", dir.resolve("audit.jsonl").toString()}, client)));
                    await().atMost(FailoverTopology.START).until(() -> Files.readString(dir.resolve("policy.log")).contains("decisions on actions"));
                    try (SeqProbe probe = t.en.call(() -> SeqProbe.start(new InetSocketAddress(FailoverTopology.SERVER, 7000), 200, 60_000))) {
                        await().atMost(STEP).until(() -> probe.received() > 20 && "alive".equals(verdict(fd, "dn1")));
                        assertThat(decisions.stream().anyMatch(DnFdNamespaceTest::fenceOfDn1)).as("no fence before dn1 drops data").isFalse();

                        run(t.dn1, "nft", "add table inet tunfd; add chain inet tunfd in { type filter hook input priority 0; }; "
                                + "add rule inet tunfd in udp dport 4789 @th,80,16 0x0800 drop");
                        await().atMost(STEP).until(() -> "suspected".equals(verdict(fd, "dn1")));
                        await().atMost(STEP).until(() -> decisions.stream().anyMatch(DnFdNamespaceTest::fenceOfDn1));
                        await().atMost(STEP).until(() -> dn1.printed(l -> l.contains("\"reason\":\"fenced\"")) && "dn2".equals(lastDn(en)));
                        long mark = probe.sent();
                        await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 10);
                        assertThat(lastDn(en)).as("a fenced DN does not take the traffic back").isEqualTo("dn2");
                    }
                } catch (Throwable failure) {
                    t.dump(System.err);
                    for (NodeProcess p : processes) {
                        p.lines.forEach(System.err::println);
                    }
                    decisions.forEach(d -> System.err.println(new String(d.payload(), java.nio.charset.StandardCharsets.UTF_8)));
                    throw failure;
                }
            }
        } finally {
            for (NodeProcess p : processes) {
                p.close();
            }
        }
    }

    private static NodeProcess add(List<NodeProcess> processes, NodeProcess p) {
        processes.add(p);
        return p;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The policy engine's decision to fence dn1 through the detector. */
    private static boolean fenceOfDn1(Delivery delivery) {
        try {
            Event e = delivery.event();
            if (!PolicyEvents.DECISION.matches(e.type())) {
                return false;
            }
            ActionDecision d = ActionDecision.from(e);
            return d.verdict() == ActionDecision.Verdict.DEPLOY && d.action().actuator().equals("dn-fd") && d.action().op().equals("fence")
                    && d.action().target().equals("dn1");
        } catch (Exception x) {
            return false;
        }
    }

    private static void run(Netns ns, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(command));
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

    /** The detector's latest verdict on a DN (alive or suspected), or null before any. */
    private static String verdict(NodeProcess fd, String dn) {
        String last = null;
        for (String l : fd.lines) {
            if (l.contains("\"type\":\"tunnel.dn.suspected\"") && l.contains("\"dn\":\"" + dn + "\"")) {
                int at = l.indexOf("\"to\":\"") + 6;
                last = l.substring(at, l.indexOf('"', at));
            }
        }
        return last;
    }
}
