package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.core.testing.Peers;
import dev.d2r2.overlay.events.PathState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.SwitchedHosts.must;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Six `d2r2 overlay route` agents, each in its own network namespace on a bridge: the source (1)
 * tunnels datagrams to an echo service behind the destination (2). An nftables rule on the source
 * drops what it sends to the destination (a one-way black hole: the destination still reaches
 * the source), and so do rules on the source's two neighbours (3, 4); only their neighbours (5, 6)
 * reach the destination. The source floods a reachability check (contingent 6: 3 for each
 * neighbour, which probe with 1 and pass 2 on), takes the first relay that answers, and the echo
 * works again through it; when the rule goes, the relay is withdrawn and the path is direct. The
 * relay stored itself in the DHT (every agent runs a node): on a second break the source finds it
 * there, before flooding. With {@code --algorithm warp} on every agent, the same black holes are
 * routed around by WARP: the relay is found by one of its phases and the echo works through it.
 */
class RouteNamespaceTest {
    private static final int HOSTS = 6;
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-co", "10.213.0.", HOSTS);
    private static final Path NFT = Path.of("/usr/sbin/nft");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Event> sourceEvents = new CopyOnWriteArrayList<>();

    private static String agent(int i) {
        return LAN.address(i) + ":4200";
    }

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        Peers.require(NFT, "nftables");
        Peers.require(Path.of("/usr/bin/socat"), "socat");
        removeTopology();
        LAN.create();
    }

    /** Also ends socat's forked children, which outlive their parent. */
    @AfterEach
    void removeTopology() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        LAN.remove();
    }

    private Process in(int host, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", LAN.host(host)));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** Starts an agent; its first line (that it runs) is read by {@link #awaitStarted}, so that the JVMs start side by side. */
    private BufferedReader startAgent(int host, Path key, List<String> extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "overlay", "route", "--network-key", key.toString(),
                "--listen", agent(host), "--dht-listen", LAN.address(host) + ":4100"));
        if (host != 5) {
            args.addAll(List.of("--join", LAN.address(5) + ":4100"));
        }
        args.addAll(extra);
        return new BufferedReader(new InputStreamReader(in(host, args).getInputStream(), StandardCharsets.UTF_8));
    }

    private void awaitStarted(List<BufferedReader> agents) throws IOException {
        for (BufferedReader lines : agents) {
            assertThat(lines.readLine()).startsWith("route agent on ");
        }
        BufferedReader source = agents.getLast();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (String line; (line = source.readLine()) != null; ) {
                    sourceEvents.add(EventCodec.decode(line));
                }
            } catch (Exception e) {
                // the agent ended
            }
        });
    }

    private static List<String> neighbours(int... hosts) {
        List<String> args = new ArrayList<>();
        for (int h : hosts) {
            args.addAll(List.of("--neighbour", agent(h)));
        }
        return args;
    }

    private static void blackHole(int host, String table) throws Exception {
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "table", "inet", table);
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "chain", "inet", table, "out", "{ type filter hook output priority 0; }");
        must("ip", "netns", "exec", LAN.host(host), "nft", "add", "rule", "inet", table, "out", "ip", "daddr", LAN.address(2), "drop");
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

    /** The echo service and six agents (the source last), all with {@code algorithm}; the echo answers directly. */
    private void startOverlay(String algorithm) throws Exception {
        List<String> search = List.of("--algorithm", algorithm);
        startOverlay(search, with(search, neighbours(1, 5)), with(search, neighbours(1, 6)), with(search, neighbours(3)),
                with(search, neighbours(4)), with(search, neighbours(3, 4)));
    }

    /** The echo service and six agents with these options (hosts 2 to 6, then the source's); the echo answers directly. */
    private void startOverlay(List<String> two, List<String> three, List<String> four, List<String> five, List<String> six,
                              List<String> one) throws Exception {
        Path key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
        in(2, List.of("socat", "UDP4-LISTEN:9000,bind=" + LAN.address(2) + ",fork,reuseaddr", "PIPE"));
        List<BufferedReader> agents = new ArrayList<>(List.of(startAgent(2, key, two), startAgent(3, key, three),
                startAgent(4, key, four), startAgent(5, key, five), startAgent(6, key, six)));
        List<String> source = new ArrayList<>(one);
        source.addAll(List.of("--destination", agent(2), "--service-port", "9000", "--entrance", "127.0.0.1:7000", "--contingent", "6"));
        agents.add(startAgent(1, key, source));
        awaitStarted(agents);
        await().atMost(Duration.ofSeconds(10)).until(() -> echo("direct").equals("direct"));
    }

    private static List<String> with(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The first path event at or after index {@code from} going to {@code to}, awaited; the machine
     * may be loaded enough for the direct path to flap before the break, so earlier ones are not asserted.
     */
    private PathState awaitState(int from, PathState.State to) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> find(from, to) != null);
        return find(from, to);
    }

    private PathState find(int from, PathState.State to) throws Exception {
        for (int i = from; i < sourceEvents.size(); i++) {
            PathState p = PathState.from(sourceEvents.get(i));
            if (p.to() == to) {
                return p;
            }
        }
        return null;
    }

    /** The source's latest path state, DIRECT before its first event. */
    private PathState.State latestState() throws Exception {
        return sourceEvents.isEmpty() ? PathState.State.DIRECT : PathState.from(sourceEvents.getLast()).to();
    }

    /**
     * Breaks the path (the source and its two neighbours black-holed), returns the relayed event. The neighbours go first,
     * and the source's own break waits until its path is direct: a search the direct path's flapping started before the
     * neighbours were cut off might otherwise still name one of them.
     */
    private PathState breakAndAwaitRelay(boolean neighboursToo) throws Exception {
        if (neighboursToo) {
            blackHole(3, "d2r2co");
            blackHole(4, "d2r2co");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> latestState() == PathState.State.DIRECT);
        int before = sourceEvents.size();
        blackHole(1, "d2r2co");
        PathState relayed = awaitState(before, PathState.State.RELAYED);
        assertThat(relayed.relay()).isIn(agent(5), agent(6));
        return relayed;
    }

    private void healAndAwaitDirect() throws Exception {
        int before = sourceEvents.size();
        must("ip", "netns", "exec", LAN.host(1), "nft", "delete", "table", "inet", "d2r2co");
        awaitState(before, PathState.State.DIRECT);
        assertThat(echo("healed")).isEqualTo("healed");
    }

    @Test
    void aOneWayBlackHoleIsRoutedAroundThroughNeighboursTakenFromTheDht() throws Exception {
        List<String> fromDht = List.of("--dht-neighbours", "8");
        startOverlay(fromDht, fromDht, fromDht, fromDht, fromDht, fromDht);
        PathState relayed = breakAndAwaitRelay(true);
        assertThat(relayed.foundBy()).as("no neighbour is configured: the flood went to the DHT's").isEqualTo("flood");
        assertThat(echo("relayed")).isEqualTo("relayed");
        healAndAwaitDirect();
    }

    @Test
    void aOneWayBlackHoleIsRoutedAroundByWarp() throws Exception {
        startOverlay("warp");
        PathState warped = breakAndAwaitRelay(true);
        assertThat(warped.foundBy()).isIn("warp-seek", "warp-trace", "warp-extend");
        assertThat(echo("warped")).isEqualTo("warped");
        healAndAwaitDirect();
    }

    @Test
    void aOneWayBlackHoleIsRoutedAroundThroughARelayFoundByFloodingThenFromTheDhtCache() throws Exception {
        startOverlay("flooding");
        breakAndAwaitRelay(true);
        assertThat(find(0, PathState.State.RELAYED).foundBy())
                .as("the first relay, perhaps found while a loaded machine made the direct path flap before the break,"
                        + " can only come from a flood: nothing is cached before one")
                .isEqualTo("flood");
        assertThat(echo("relayed")).isEqualTo("relayed");
        healAndAwaitDirect();

        PathState cached = breakAndAwaitRelay(false);
        assertThat(cached.foundBy()).as("the relay learned into the DHT on the first break").isEqualTo("cache");
        assertThat(echo("cached")).isEqualTo("cached");
    }
}
