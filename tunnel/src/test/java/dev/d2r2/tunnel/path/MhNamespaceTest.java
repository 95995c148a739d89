package dev.d2r2.tunnel.path;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.tunnel.events.PathEvents;
import dev.d2r2.tunnel.events.PathStateChanged;
import dev.d2r2.tunnel.events.PathSwitched;
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
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two namespaces joined by two veth paths, an endpoint in each, and a sequence-numbered UDP stream
 * from namespace a through both endpoints to an echo server in namespace b. nftables black-holes
 * path p1 in one direction (b → a): both endpoints switch to p2 and the stream flows again. p1
 * then flaps (the black hole lifted until the endpoint sees p1 up, then put back) and the traffic
 * stays on p2; lifted for good, p1 (p2 carries a penalty) wins back the traffic after the hold.
 * Loss is left out of the score here, so that only the hold keeps the flapping p1 from the traffic.
 * Every step is proved by events and echoes, never by how long it took.
 */
class MhNamespaceTest {
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final String P1_B_TO_A = "ip daddr 10.61.1.1 udp dport 4790 drop";

    @Test
    void blackHoledPrimarySwitchesToTheBackupAndAFlappingPathDoesNotBounce(@TempDir Path dir) throws Exception {
        try (Netns a = Netns.create("tmh-a"); Netns b = Netns.create("tmh-b")) {
            veth(a, "tmh-a1", "10.61.1.1/24", b, "tmh-b1", "10.61.1.2/24");
            veth(a, "tmh-a2", "10.61.2.1/24", b, "tmh-b2", "10.61.2.2/24");
            nft(b, "add table inet tmh");
            nft(b, "add chain inet tmh out { type filter hook output priority 0; }");
            Path aConfig = write(dir, "a.yaml", "a", "b", "1", "2", "{listen: 127.0.0.1:7100}");
            Path bConfig = write(dir, "b.yaml", "b", "a", "2", "1", "{listen: 127.0.0.1:0, to: 127.0.0.1:7000}");
            List<Event> aEvents = new CopyOnWriteArrayList<>();
            List<Event> bEvents = new CopyOnWriteArrayList<>();
            try (EchoServer echo = b.call(() -> EchoServer.start(new InetSocketAddress("127.0.0.1", 7000)));
                 MhNode nodeB = b.call(() -> MhNode.start(bConfig, Clock.system(), bEvents::add));
                 MhNode nodeA = a.call(() -> MhNode.start(aConfig, Clock.system(), aEvents::add))) {
                // the first echo decides the first path; with both up, p1 (p2 carries a penalty) has the traffic after the hold
                await().atMost(STEP).until(() -> onP1(aEvents) && onP1(bEvents));
                int settled = switches(aEvents).size();
                try (SeqProbe probe = a.call(() -> SeqProbe.start(new InetSocketAddress("127.0.0.1", 7100), 500, 1_000_000))) {
                    flows(probe);

                    nft(b, "add rule inet tmh out " + P1_B_TO_A);
                    await().atMost(STEP).until(() -> switches(aEvents).contains("p1>p2:down") && switches(bEvents).contains("p1>p2:down"));
                    flows(probe);

                    for (int flap = 1; flap <= 3; flap++) {
                        int round = flap;
                        nft(b, "flush chain inet tmh out");
                        await().atMost(STEP).pollInterval(Duration.ofMillis(5)).until(() -> p1Went(aEvents, "up") > round);
                        nft(b, "add rule inet tmh out " + P1_B_TO_A);
                        await().atMost(STEP).until(() -> p1Went(aEvents, "down") > round);
                    }
                    assertThat(since(aEvents, settled)).as("the flapping p1 never took the traffic back").containsExactly("p1>p2:down");
                    flows(probe);

                    nft(b, "flush chain inet tmh out");
                    await().atMost(STEP).until(() -> switches(aEvents).contains("p2>p1:better"));
                    flows(probe);
                    assertThat(since(aEvents, settled)).containsExactly("p1>p2:down", "p2>p1:better");
                }
            } catch (Throwable failure) {
                aEvents.forEach(e -> System.err.println("a: " + e));
                bEvents.forEach(e -> System.err.println("b: " + e));
                throw failure;
            }
        }
    }

    private static void flows(SeqProbe probe) {
        long mark = probe.sent();
        await().atMost(STEP).until(() -> probe.highestEchoed() > mark + 25);
    }

    private static List<String> switches(List<Event> events) {
        return events.stream().filter(e -> PathEvents.SWITCHED.matches(e.type()))
                .map(e -> e.from() + ">" + e.to() + ":" + e.attrs().get(PathSwitched.REASON)).toList();
    }

    private static boolean onP1(List<Event> events) {
        List<String> s = switches(events);
        return !s.isEmpty() && s.getLast().contains(">p1:");
    }

    private static List<String> since(List<Event> events, int settled) {
        List<String> s = switches(events);
        return s.subList(settled, s.size());
    }

    private static long p1Went(List<Event> events, String to) {
        return events.stream().filter(e -> PathEvents.STATE.matches(e.type()) && "p1".equals(e.attrs().get(PathStateChanged.PATH))
                && to.equals(e.to())).count();
    }

    private static void veth(Netns a, String aName, String aAddress, Netns b, String bName, String bAddress) throws IOException {
        a.ip("link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b.name());
        a.ip("addr", "add", aAddress, "dev", aName);
        a.ip("link", "set", aName, "up");
        b.ip("addr", "add", bAddress, "dev", bName);
        b.ip("link", "set", bName, "up");
    }

    private static void nft(Netns ns, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "nft", command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("nft " + command + " failed in " + ns.name());
        }
    }

    private static Path write(Path dir, String file, String name, String peer, String local, String remote, String app) throws Exception {
        return Files.writeString(dir.resolve(file), """
                name: %s
                peer: %s
                tunnel: 9
                identity: %s.identity
                peer-public-key: %s
                paths:
                  - {name: p1, local: 10.61.1.%s:4790, remote: 10.61.1.%s:4790}
                  - {name: p2, local: 10.61.2.%s:4790, remote: 10.61.2.%s:4790, penalty: 20}
                app: %s
                probe: {every: 10ms, window: 50, down-after: 300ms}
                weights: {loss: 0}
                hysteresis: {margin: 5, hold: 3s}
                score-every: 1s
                """.formatted(name, peer, name, MhLoopbackTest.identity(dir, peer), local, remote, local, remote, app));
    }
}
