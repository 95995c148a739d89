package dev.d2r2.app;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.auth.AuthServer;
import dev.d2r2.p2psip.auth.CertificateAuthority;
import dev.d2r2.p2psip.auth.Enrolments;
import org.junit.jupiter.api.AfterEach;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pr2-P2PSIP across processes: peers in three {@code d2r2 p2psip peer} processes (their relays announced
 * in the forwarding overlay under forwarding pseudonyms from an authentication server), the caller's and the
 * callee's {@code d2r2 p2psip agent} each in its own, their pools filled by lookups in that overlay, and SIPp behind each face — on loopback, and
 * with every process on its own host (network namespaces on a bridge). A call goes through; then a
 * peer process is killed (its peers are hops of the agents' tunnels), the agents rebuild their
 * tunnels through the peers left, and the next call goes through too. A failed run keeps its temporary directory: every
 * process's stderr, the agents' status lines (stdout-caller, stdout-callee) and SIPp's output, named in the failure.
 */
class P2psipProcessesTest {
    private static final Pattern AGENT = Pattern.compile("p2psip agent ([0-9a-f]{64}): SIP face on [0-9.]+:(\\d+)");
    private static final Pattern PEER = Pattern.compile("p2psip peer p\\d: 4 peers, storage ([0-9.]+:\\d+), forwarding ([0-9.]+:\\d+)");
    private static final int PEER_HOSTS = 3;
    private static final int CALLEE = 4;
    private static final int CALLER = 5;
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-p2p", "10.97.31.", CALLER);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private boolean lan;
    private final List<String> forwardingSeeds = new ArrayList<>();
    private AuthServer as;
    private String asKey;

    /** Where host i's processes run (a command prefix) and the address they bind. */
    private record Hosts(IntFunction<List<String>> prefix, IntFunction<String> address) {
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (lan) {
            LAN.remove();
        }
        if (as != null) {
            as.close();
        }
    }

    @Test
    void callsGoBetweenAgentProcessesOnLoopbackAndSurviveAPeerProcessKilled() throws Exception {
        callsSurviveAPeerProcessKilled(new Hosts(host -> List.of(), host -> "127.0.0.1"));
    }

    @Test
    void callsGoBetweenAgentsOnHostsOfTheirOwnAndSurviveAPeerHostsProcessKilled() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        lan = true;
        LAN.create();
        callsSurviveAPeerProcessKilled(new Hosts(host -> List.of("ip", "netns", "exec", LAN.host(host)), LAN::address));
    }

    private void callsSurviveAPeerProcessKilled(Hosts hosts) throws Exception {
        assertThat(Path.of("/usr/bin/sipp")).as("SIPp (package sip-tester) must be installed").exists();
        Path key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
        assertThat(Main.commandLine().execute("overlay", "keygen", dir.resolve("fwd.key").toString())).isZero();
        startAuthServer();
        List<Process> peers = new ArrayList<>();
        List<String> seeds = new ArrayList<>();
        for (int i = 1; i <= PEER_HOSTS; i++) {
            Path pseudonyms = forwardingPseudonyms("p" + i, 4);
            List<String> args = new ArrayList<>(List.of("p2psip", "peer", "--network-key", key.toString(), "--forwarding-key",
                    dir.resolve("fwd.key").toString(), "--as-key", asKey, "--pseudonyms", pseudonyms.toString(), "--name", "p" + i,
                    "--peers", "4", "--host", hosts.address().apply(i)));
            args.addAll(seeds);
            Process p = d2r2(hosts, i, "peer" + i, args.toArray(String[]::new));
            Matcher m = PEER.matcher(firstLine(p));
            assertThat(m.find()).as(Files.readString(dir.resolve("stderr-peer" + i))).isTrue();
            seeds.addAll(List.of("--storage-seed", m.group(1), "--forwarding-seed", m.group(2)));
            forwardingSeeds.addAll(List.of("--forwarding-seed", m.group(2)));
            peers.add(p);
        }

        int uasPort = freeUdpPort();
        List<String> calleeOut = new CopyOnWriteArrayList<>();
        Matcher callee = startAgent(hosts, CALLEE, calleeOut, "--sip-ua", hosts.address().apply(CALLEE) + ":" + uasPort);
        List<String> callerOut = new CopyOnWriteArrayList<>();
        Matcher caller = startAgent(hosts, CALLER, callerOut, "--contact", "bob=" + callee.group(1));

        call(hosts, uasPort, caller.group(2), "1");
        awaitExplained("the first call's three answers at the caller", 20, () -> counter(callerOut, "sipFromRemote") >= 3, callerOut, calleeOut);
        assertThat(lastStatus(callerOut)).contains("\"sipFromLocal\":3", "\"sipRefused\":0");

        // 4 of the 12 peers go; the agents' 8 tunnels hold 18 hops, so (8/12)^18 < 0.1 % is the chance none was there
        peers.getFirst().destroyForcibly();
        assertThat(peers.getFirst().waitFor(20, TimeUnit.SECONDS)).isTrue();
        awaitExplained("a rebuilt tunnel", 60, () -> counter(callerOut, "tunnelsRebuilt") + counter(calleeOut, "tunnelsRebuilt") > 0,
                callerOut, calleeOut);

        call(hosts, uasPort, caller.group(2), "2");
        // at least the second call's two final answers (200 of the INVITE, 200 of the BYE): the 180 is sent once and never
        // retransmitted (RFC 3261 without 100rel), so one sent while the agents still rebuild their routes can be lost, and
        // SIPp's UAC, which takes it as optional, succeeds without it (seen in CI: 5 answers, the UAC's call successful)
        awaitExplained("the second call's final answers (200, 200 of the BYE) at the caller", 20,
                () -> counter(callerOut, "sipFromRemote") >= 5, callerOut, calleeOut);
    }

    /** Awaits {@code condition}; if it does not come, fails with both agents' last status and where the logs are kept. */
    private void awaitExplained(String what, int seconds, Callable<Boolean> condition, List<String> callerOut, List<String> calleeOut) {
        try {
            await().atMost(seconds, TimeUnit.SECONDS).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + seconds + " s; caller's last status " + lastStatus(callerOut)
                    + "; callee's " + lastStatus(calleeOut) + "; logs kept in " + dir, e);
        }
    }

    /** An authentication server in this JVM, with the user "peers" enrolled; its key is what peers and agents check relays against. */
    private void startAuthServer() throws Exception {
        byte[] secret = new byte[Enrolments.SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        Files.writeString(dir.resolve("peers.secret"), HexFormat.of().formatHex(secret));
        as = AuthServer.start(new AuthServer.Settings(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Duration.ofSeconds(30)),
                new CertificateAuthority(Identity.generate(), new CertificateAuthority.Policy(Duration.ofDays(1), Duration.ofHours(6), 64),
                        new SecureRandom()), Enrolments.of(Map.of("peers", secret)), Clock.system());
        asKey = HexFormat.of().formatHex(as.publicKey());
    }

    /** {@code count} forwarding pseudonyms from the server, with {@code d2r2 p2psip cert}, in a directory of their own. */
    private Path forwardingPseudonyms(String name, int count) {
        Path out = dir.resolve("pseudonyms-" + name);
        assertThat(Main.commandLine().execute("p2psip", "cert", "--as", "127.0.0.1:" + as.address().getPort(), "--as-key", asKey, "--user",
                "peers", "--secret-file", dir.resolve("peers.secret").toString(), "--kind", "FORWARDING", "--count",
                Integer.toString(count), "--out", out.toString())).isZero();
        return out;
    }

    private Process d2r2(Hosts hosts, int host, String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(hosts.prefix().apply(host));
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr-" + name).toFile()).start();
        processes.add(p);
        return p;
    }

    private Matcher startAgent(Hosts hosts, int host, List<String> out, String... more) throws IOException {
        String name = host == CALLER ? "caller" : "callee";
        List<String> args = new ArrayList<>(List.of("p2psip", "agent", "--forwarding-key", dir.resolve("fwd.key").toString(), "--as-key",
                asKey, "--pool-refresh", "5s", "--user-key", dir.resolve(name + ".id").toString(), "--listen", hosts.address().apply(host) + ":0", "--refresh", "3s", "--lifetime", "30s",
                "--timeout", "3s", "--status-every", "1s", "--print"));
        args.addAll(forwardingSeeds);
        args.addAll(List.of(more));
        Process p = d2r2(hosts, host, name, args.toArray(String[]::new));
        Matcher m = AGENT.matcher(firstLine(p));
        assertThat(m.find()).as(Files.readString(dir.resolve("stderr-" + name))).isTrue();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
                    Files.writeString(dir.resolve("stdout-" + name), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        return m;
    }

    /** One SIPp call, INVITE/180/200/ACK/BYE/200, from a UAC at the caller's face to a UAS behind the callee's. */
    private void call(Hosts hosts, int uasPort, String callerFacePort, String name) throws Exception {
        Process uas = sipp(hosts, CALLEE, "uas" + name, "-sn", "uas", "-i", hosts.address().apply(CALLEE), "-p", Integer.toString(uasPort),
                "-m", "1");
        try {
            Process uac = sipp(hosts, CALLER, "uac" + name, "-sn", "uac", hosts.address().apply(CALLER) + ":" + callerFacePort, "-s", "bob",
                    "-i", hosts.address().apply(CALLER), "-p", Integer.toString(freeUdpPort()), "-m", "1", "-timeout", "60s", "-timeout_error");
            assertThat(uac.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac" + name + ".out"))).isZero();
            assertThat(uas.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            uas.destroy();
        }
    }

    private static String firstLine(Process p) throws IOException {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        return line == null ? "" : line;
    }

    private static String lastStatus(List<String> out) {
        return out.isEmpty() ? "" : out.getLast();
    }

    private static long counter(List<String> out, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(lastStatus(out));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private Process sipp(Hosts hosts, int host, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(hosts.prefix().apply(host));
        cmd.add("/usr/bin/sipp");
        cmd.addAll(List.of(args));
        cmd.add("-nostdin");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
