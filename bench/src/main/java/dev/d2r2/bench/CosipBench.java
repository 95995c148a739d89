package dev.d2r2.bench;

import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.cosip.CosipProxy;
import dev.d2r2.cosip.CosipSettings;
import dev.d2r2.cosip.Roster;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.KadConfig;
import dev.d2r2.overlay.node.OverlayNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * CoSIP against a real provider failure: Kamailio 5.6 as registrar and proxy
 * (cosip/src/test/resources/kamailio/registrar.cfg), a SIPp uas as bob behind his CoSIP proxy, and
 * alice's calls placed by this benchmark's own small UAC (INVITE with RFC 3261 retransmissions,
 * ACK, BYE) through her proxy, so that each call's setup time is measured. Per cycle: a call
 * established through Kamailio, Kamailio and its workers killed (SIGKILL) and a new call placed at that instant —
 * its completion is the recovery time; the established call's BYE after the death; Kamailio
 * started again and the time until alice's proxy sends new calls to it. Setup latency (INVITE →
 * 200 at the caller) through the provider and through the DHT over {@code --calls} calls each.
 */
@Command(name = "cosip-bench", mixinStandardHelpOptions = true)
public final class CosipBench implements Callable<Integer> {
    @Option(names = "--cycles", defaultValue = "3", description = "Provider kill/restart cycles") int cycles;
    @Option(names = "--calls", defaultValue = "50", description = "Calls per latency sample (each path, each cycle)") int calls;

    private static final Path KAMAILIO_CFG = Path.of("cosip/src/test/resources/kamailio/registrar.cfg").toAbsolutePath();
    private static final String DOMAIN = "example.org";
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> modeAt = new ConcurrentHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new CosipBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("d2r2-cosip-bench");
        int port = freePort();
        int uasPort = freePort();
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        Roster roster = Roster.of(Map.of("sip:alice@" + DOMAIN, alice.publicKey(), "sip:bob@" + DOMAIN, bob.publicKey()));
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        byte[] networkKey = new byte[32];
        random.nextBytes(networkKey);
        Process provider = kamailio(work, port, 0);
        Process uas = new ProcessBuilder("/usr/bin/sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-nostdin")
                .redirectErrorStream(true).redirectOutput(work.resolve("uas.out").toFile()).start();
        List<Long> viaServer = new ArrayList<>();
        List<Long> viaDht = new ArrayList<>();
        try (OverlayNode seed = node(networkKey, List.of());
             OverlayNode aliceNode = node(networkKey, List.of(seed.address()));
             OverlayNode bobNode = node(networkKey, List.of(seed.address()));
             CosipProxy aliceProxy = proxy(server, alice, roster, aliceNode, "alice");
             CosipProxy bobProxy = proxy(server, bob, roster, bobNode, "bob");
             DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            register(bobProxy, uasPort);
            awaitMode("alice", "server", 0);
            for (int cycle = 1; cycle <= cycles; cycle++) {
                sample(ua, aliceProxy, viaServer);
                Call held = setUp(ua, aliceProxy.address());
                long killed = System.nanoTime();
                crash(provider);
                Call first = setUp(ua, aliceProxy.address());
                double recovery = ms(first.answeredNanos - killed);
                double detected = ms(awaitMode("alice", "p2p", killed) - killed);
                boolean heldEnded = held != null && bye(ua, aliceProxy.address(), held);
                bye(ua, aliceProxy.address(), first);
                sample(ua, aliceProxy, viaDht);
                long restarted = System.nanoTime();
                provider = kamailio(work, port, cycle);
                double back = ms(Math.max(awaitMode("alice", "server", restarted), awaitMode("bob", "server", restarted)) - restarted);
                long before = aliceProxy.status().get().counter("calls.answered.via-server");
                Call again = setUp(ua, aliceProxy.address());
                boolean throughServer = again != null && aliceProxy.status().get().counter("calls.answered.via-server") == before + 1;
                bye(ua, aliceProxy.address(), again);
                System.out.printf("cycle %d: provider down detected after %.0f ms; first new call (placed at the kill) answered after %.0f ms;"
                                + " call established before the kill ended cleanly: %s; both proxies back to the provider %.0f ms after its restart"
                                + " (Kamailio's own start-up included); next call through it: %s%n",
                        cycle, detected, recovery, heldEnded ? "yes" : "NO", back, throughServer ? "yes" : "NO");
            }
            System.out.printf("setup latency via the provider: %s%n", summary(viaServer));
            System.out.printf("setup latency via the DHT:      %s%n", summary(viaDht));
            System.out.println("alice's proxy: " + aliceProxy.status().get());
            System.out.println("bob's proxy:   " + bobProxy.status().get());
        } finally {
            crash(provider);
            uas.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return 0;
    }

    /** SIGKILL to Kamailio and its forked workers (which would otherwise go on answering on the inherited socket). */
    private static void crash(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    private void sample(DatagramSocket ua, CosipProxy via, List<Long> into) throws Exception {
        for (int i = 0; i < calls; i++) {
            Call c = setUp(ua, via.address());
            if (c == null) {
                throw new IllegalStateException("a latency sample's call failed");
            }
            into.add(c.answeredNanos - c.sentNanos);
            bye(ua, via.address(), c);
        }
    }

    private static String summary(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format("%d calls, median %.2f ms, p95 %.2f ms, max %.2f ms", sorted.size(), ms(sorted.get(sorted.size() / 2)),
                ms(sorted.get((int) (sorted.size() * 0.95))), ms(sorted.getLast()));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private long awaitMode(String proxy, String mode, long after) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Long at = modeAt.get(proxy + " " + mode);
            if (at != null && at >= after) {
                return at;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(proxy + "'s proxy did not switch to " + mode);
    }

    private Process kamailio(Path work, int port, int run) throws IOException {
        return new ProcessBuilder("/usr/sbin/kamailio", "-f", KAMAILIO_CFG.toString(), "-l", "udp:127.0.0.1:" + port, "-DD", "-E",
                "-w", work.toString(), "-m", "64", "-M", "8").redirectErrorStream(true)
                .redirectOutput(work.resolve("kamailio-" + run + ".out").toFile()).start();
    }

    private static OverlayNode node(byte[] key, List<InetSocketAddress> seeds) throws IOException {
        return OverlayNode.start(new OverlayNode.Settings(new InetSocketAddress("127.0.0.1", 0), seeds, key, KadConfig.defaults(),
                Duration.ofSeconds(30)), Clock.system());
    }

    private CosipProxy proxy(InetSocketAddress server, Identity id, Roster roster, OverlayNode node, String name) throws IOException {
        CosipSettings s = CosipSettings.defaults(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0), server, DOMAIN)
                .withP2pRate(60_000, 1000);
        modeAt.put(name + " server", 0L);
        return CosipProxy.start(s, id, roster, node, e -> onEvent(name, e), Clock.system());
    }

    private void onEvent(String proxy, Event e) {
        if (e.type().equals("cosip.mode")) {
            modeAt.put(proxy + " " + e.to(), System.nanoTime());
        }
    }

    private void register(CosipProxy bob, int uasPort) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            String reply = transact(s, bob.address(), "REGISTER sip:" + DOMAIN + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort()
                    + ";branch=z9hG4bKreg\r\nFrom: <sip:bob@" + DOMAIN + ">;tag=r\r\nTo: <sip:bob@" + DOMAIN + ">\r\nCall-ID: reg-bob\r\n"
                    + "CSeq: 1 REGISTER\r\nContact: <sip:bob@127.0.0.1:" + uasPort + ">\r\nExpires: 3600\r\nMax-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n", "REGISTER");
            if (reply == null || !reply.startsWith("SIP/2.0 200")) {
                throw new IllegalStateException("bob's registration failed: " + reply);
            }
        }
    }

    /** An answered call: its Call-ID, the callee's To (with tag), when the INVITE went and the 200 came. */
    private record Call(String callId, String to, long sentNanos, long answeredNanos) {
    }

    private Call setUp(DatagramSocket ua, InetSocketAddress proxy) throws IOException {
        String callId = "bench-" + Long.toHexString(random.nextLong());
        String head = "sip:bob@" + DOMAIN + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort() + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:alice@" + DOMAIN + ">;tag=a\r\n";
        long sent = System.nanoTime();
        String ok = transact(ua, proxy, "INVITE " + head + "To: <sip:bob@" + DOMAIN + ">\r\nCall-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + ua.getLocalPort() + ">\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", "INVITE");
        long answered = System.nanoTime();
        if (ok == null || !ok.startsWith("SIP/2.0 200")) {
            return null;
        }
        String to = header(ok, "To");
        send(ua, proxy, "ACK " + head.replace("z9hG4bK" + callId, "z9hG4bKack" + callId) + "To: " + to + "\r\nCall-ID: " + callId
                + "\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        return new Call(callId, to, sent, answered);
    }

    private boolean bye(DatagramSocket ua, InetSocketAddress proxy, Call c) throws IOException {
        if (c == null) {
            return false;
        }
        String reply = transact(ua, proxy, "BYE sip:bob@" + DOMAIN + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + ua.getLocalPort()
                + ";branch=z9hG4bKbye" + c.callId + "\r\nFrom: <sip:alice@" + DOMAIN + ">;tag=a\r\nTo: " + c.to + "\r\nCall-ID: " + c.callId
                + "\r\nCSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", "BYE");
        return reply != null && reply.startsWith("SIP/2.0 200");
    }

    /** Sends a request with RFC 3261's retransmissions (T1 = 500 ms doubling to 4 s, 32 s in all) until a final answer. */
    private static String transact(DatagramSocket s, InetSocketAddress to, String request, String method) throws IOException {
        String callId = header(request, "Call-ID");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(32);
        long interval = 500;
        long nextSend = 0;
        byte[] buf = new byte[65_535];
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (now >= nextSend) {
                send(s, to, request);
                nextSend = now + TimeUnit.MILLISECONDS.toNanos(interval);
                interval = Math.min(interval * 2, 4000);
            }
            s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSend - System.nanoTime())));
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                String reply = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
                if (reply.startsWith("SIP/2.0 ") && callId.equals(header(reply, "Call-ID")) && header(reply, "CSeq").endsWith(method)
                        && reply.charAt(8) != '1') {
                    return reply;
                }
            } catch (SocketTimeoutException e) {
                // time to retransmit
            }
        }
        return null;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, to));
    }

    private static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "";
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }
}
