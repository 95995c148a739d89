package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.actuator.http.BearerToken;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.overlay.events.PathState;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.tunnel.node.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.SwitchedHosts.must;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Item 5 of the overlay — detection and remediation through the loop — with every role a process
 * in its own network namespace on a bridge (seven hosts). Hosts 1–6 run `d2r2 overlay route`
 * agents as in {@link RouteNamespaceTest}: the source (1) tunnels datagrams to an echo behind the
 * destination (2); its neighbours (3, 4) reach relays (5, 6). The source runs under --reroute
 * policy: it only detects, publishing its path's state on the broker, and searches for a relay
 * when its actuator API is told to. Host 7 is the operations host: `d2r2 broker` and `d2r2
 * chronicle watch` with examples/chronicles/overlay-path.chr; `d2r2 policy run` with
 * examples/policies/overlay-reroute.yaml runs beside the source (the agent's API is loopback only).
 * A one-way black hole (nftables on the source and its neighbours: what they send to the
 * destination is dropped) makes the path go down; the chronicle's PathBroken makes the policy
 * order a reroute and the echo comes back through a relay. When the source's rule goes, the
 * path answers again (recovered); PathHealed makes the policy revoke the order, the agent
 * withdraws the relay and the echo goes directly (the relays black-holed in turn do not stop it).
 */
class RerouteLoopNamespaceTest {
    private static final int HOSTS = 7;
    private static final int OPERATIONS = 7;
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-rl", "10.214.0.", HOSTS);
    private static final Path NFT = Path.of("/usr/sbin/nft");
    private static final Duration STEP = Duration.ofSeconds(60);
    /** Nine JVMs starting side by side on a loaded 2-core machine. */
    private static final Duration START = Duration.ofSeconds(300);

    @TempDir
    Path dir;
    private final List<NodeProcess> processes = new ArrayList<>();
    private final List<Process> echo = new ArrayList<>();
    private NodeProcess source;
    private NodeProcess chronicle;

    private static String agent(int i) {
        return LAN.address(i) + ":4200";
    }

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        Peers.require(NFT, "nftables");
        Peers.require(Path.of("/usr/bin/socat"), "socat");
        LAN.create();
    }

    /** Also ends socat's forked children, which outlive their parent. */
    @AfterEach
    void removeTopology() throws Exception {
        for (NodeProcess p : processes) {
            p.close();
        }
        for (Process p : echo) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        LAN.remove();
    }

    private NodeProcess run(int host, String log, String... args) throws IOException {
        NodeProcess p = NodeProcess.run(LAN.host(host), dir.resolve(log), Main.class.getName(), args);
        processes.add(p);
        return p;
    }

    private boolean logged(String log, String text) throws IOException {
        Path f = dir.resolve(log);
        return Files.exists(f) && Files.readString(f).contains(text);
    }

    private static String[] with(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private NodeProcess startAgent(int host, Path key, String... extra) throws IOException {
        return run(host, "agent" + host + ".log", with(List.of("overlay", "route", "--network-key", key.toString(), "--listen", agent(host)),
                extra));
    }

    private static void blackHole(int host) throws Exception {
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "table", "inet", "d2r2rl");
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "chain", "inet", "d2r2rl", "out",
                "{ type filter hook output priority 0; }");
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "rule", "inet", "d2r2rl", "out", "ip", "daddr", LAN.address(2), "drop");
    }

    /** One datagram through the tunnel's entrance on the source; its echo, or "" after 2 s. */
    private String echo(String text) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", LAN.host(1), "python3", "-c",
                "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(2)\n"
                        + "s.sendto(b'" + text + "',('127.0.0.1',7000))\ntry:\n  print(s.recv(2000).decode(),end='')\nexcept OSError:\n  pass\n")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** The source's path states, in order. */
    private List<PathState> paths() throws EventFormatException {
        List<PathState> states = new ArrayList<>();
        for (String line : source.lines) {
            if (line.startsWith("{")) {
                states.add(PathState.from(EventCodec.decode(line)));
            }
        }
        return states;
    }

    /** The index of the first path state at or after {@code from} going to {@code to}, or -1. */
    private int find(int from, PathState.State to) throws EventFormatException {
        List<PathState> states = paths();
        for (int i = from; i < states.size(); i++) {
            if (states.get(i).to() == to) {
                return i;
            }
        }
        return -1;
    }

    /** The reroute orders of this kind the policy engine's audit trail records as carried out. */
    private long outcomes(ActionOutcome.Call call) throws IOException, EventFormatException {
        Path audit = dir.resolve("audit.jsonl");
        if (!Files.exists(audit)) {
            return 0;
        }
        long n = 0;
        for (String line : Files.readAllLines(audit)) {
            if (!line.isBlank()) {
                Event e = EventCodec.decode(line);
                if (PolicyEvents.OUTCOME.matches(e.type())) {
                    ActionOutcome o = ActionOutcome.from(e);
                    n += o.call() == call && o.result() == ActionOutcome.Result.OK ? 1 : 0;
                }
            }
        }
        return n;
    }

    private long recognitions(String chronicleName) {
        return chronicle.count(l -> l.contains("\"chronicle\":\"" + chronicleName + "\""));
    }

    private void startRoles(Path key) throws Exception {
        Path data = dir.resolve("broker");
        Files.writeString(dir.resolve("broker.yaml"), """
                channels:
                  - tag: overlay
                  - tag: alerts
                  - tag: actions
                """);
        run(OPERATIONS, "broker.log", "broker", "--listen", LAN.address(OPERATIONS) + ":7100", "--data", data.toString(), "--metrics", "off",
                "--config", dir.resolve("broker.yaml").toString());
        await().atMost(START).until(() -> logged("broker.log", "d2r2 broker on"));
        String identity = data.resolve("admin.identity").toString();

        chronicle = run(OPERATIONS, "chronicle.log", "chronicle", "watch", Path.of("../examples/chronicles/overlay-path.chr").toAbsolutePath()
                .toString(), "--input", "overlay", "--alerts", "alerts", "--print", "--identity", identity);

        echo.add(new ProcessBuilder("ip", "netns", "exec", LAN.host(2), "socat", "UDP4-LISTEN:9000,bind=" + LAN.address(2) + ",fork,reuseaddr",
                "PIPE").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        List<NodeProcess> agents = List.of(startAgent(2, key), startAgent(3, key, "--neighbour", agent(1), "--neighbour", agent(5)),
                startAgent(4, key, "--neighbour", agent(1), "--neighbour", agent(6)), startAgent(5, key, "--neighbour", agent(3)),
                startAgent(6, key, "--neighbour", agent(4)));
        Path token = dir.resolve("route-api.token");
        BearerToken.loadOrCreate(token);
        source = startAgent(1, key, "--neighbour", agent(3), "--neighbour", agent(4), "--destination", agent(2), "--service-port", "9000",
                "--entrance", "127.0.0.1:7000", "--contingent", "6", "--reroute", "policy", "--api", "127.0.0.1:8093",
                "--api-token-file", token.toString(), "--channel", "overlay", "--identity", identity);

        Files.writeString(dir.resolve("overlay-reroute.yaml"), Files.readString(Path.of("../examples/policies/overlay-reroute.yaml"))
                .replace("token-file: route-api.token", "token-file: \"" + token + "\""));
        run(1, "policy.log", "policy", "run", "--policy", dir.resolve("overlay-reroute.yaml").toString(), "--input", "alerts",
                "--actions", "actions", "--audit", dir.resolve("audit.jsonl").toString(), "--identity", identity);

        await().atMost(START).until(() -> agents.stream().allMatch(a -> a.printed(l -> l.startsWith("route agent on")))
                && source.printed(l -> l.startsWith("route agent on")) && logged("chronicle.log", "chronicle: watching")
                && logged("policy.log", "decisions on actions"));
    }

    @Test
    void aOneWayBlackHoleIsReroutedByThePolicyEngineOnAChronicleAlertAndTheRerouteWithdrawnWhenThePathHeals() throws Exception {
        Path key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
        try {
            startRoles(key);
            await().atMost(STEP).until(() -> echo("direct").equals("direct"));
            // a loaded machine can stall a JVM long enough for the path to flap before the break: count from here
            long broken = recognitions("PathBroken");
            long deploys = outcomes(ActionOutcome.Call.DEPLOY);
            long recovered = recognitions("PathRecovered");
            long revokes = outcomes(ActionOutcome.Call.REVOKE);

            int before = paths().size();
            blackHole(3);
            blackHole(4);
            blackHole(1);
            await().atMost(STEP).until(() -> find(before, PathState.State.RELAYED) >= 0);
            int relayed = find(before, PathState.State.RELAYED);
            assertThat(paths().get(relayed).relay()).isIn(agent(5), agent(6));
            assertThat(find(before, PathState.State.DOWN)).isBetween(before, relayed);
            await().atMost(STEP).until(() -> recognitions("PathBroken") > broken && outcomes(ActionOutcome.Call.DEPLOY) > deploys);
            await().atMost(STEP).until(() -> echo("relayed").equals("relayed"));

            must("ip", "netns", "exec", LAN.host(1), "nft", "delete", "table", "inet", "d2r2rl");
            await().atMost(STEP).until(() -> find(relayed, PathState.State.DIRECT) >= 0);
            assertThat(find(relayed, PathState.State.RECOVERED)).as("the agent keeps the relay until the order is revoked")
                    .isBetween(relayed, find(relayed, PathState.State.DIRECT));
            await().atMost(STEP).until(() -> recognitions("PathRecovered") > recovered && outcomes(ActionOutcome.Call.REVOKE) > revokes);

            blackHole(5);
            blackHole(6);
            await().atMost(STEP).until(() -> echo("direct again").equals("direct again"));
        } catch (Throwable failure) {
            try (var logs = Files.list(dir)) {
                for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                    System.err.println("--- " + log.getFileName() + "\n" + Files.readString(log));
                }
            }
            System.err.println("--- source\n" + String.join("\n", source == null ? List.of() : source.lines));
            System.err.println("--- chronicle\n" + String.join("\n", chronicle == null ? List.of() : chronicle.lines));
            throw failure;
        }
    }
}
