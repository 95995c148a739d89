package dev.d2r2.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pr2-P2PSIP across processes: peers in three {@code d2r2 p2psip peer} processes, the caller's and the
 * callee's {@code d2r2 p2psip agent} each in its own, and SIPp behind each face — on loopback, and
 * with every process on its own host (network namespaces on a bridge). A call goes through; then a
 * peer process is killed (its peers are hops of the agents' tunnels), the agents rebuild their
 * tunnels through the peers left, and the next call goes through too.
 */
class P2psipProcessesTest {
    private static final Pattern AGENT = Pattern.compile("p2psip agent ([0-9a-f]{64}): SIP face on [0-9.]+:(\\d+)");
    private static final int PEER_HOSTS = 3;
    private static final int CALLEE = 4;
    private static final int CALLER = 5;
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-p2p", "10.97.31.", CALLER);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private boolean lan;

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
        Path pool = dir.resolve("pool");
        List<Process> peers = new ArrayList<>();
        for (int i = 1; i <= PEER_HOSTS; i++) {
            Process p = d2r2(hosts, i, "peer" + i, "p2psip", "peer", "--pool", pool.toString(), "--network-key", key.toString(),
                    "--name", "p" + i, "--peers", "4", "--host", hosts.address().apply(i));
            assertThat(firstLine(p)).as(Files.readString(dir.resolve("stderr-peer" + i))).startsWith("p2psip peer p" + i + ": 4 peers");
            peers.add(p);
        }

        int uasPort = freeUdpPort();
        List<String> calleeOut = new CopyOnWriteArrayList<>();
        Matcher callee = startAgent(hosts, CALLEE, calleeOut, "--sip-ua", hosts.address().apply(CALLEE) + ":" + uasPort);
        List<String> callerOut = new CopyOnWriteArrayList<>();
        Matcher caller = startAgent(hosts, CALLER, callerOut, "--contact", "bob=" + callee.group(1));

        call(hosts, uasPort, caller.group(2), "1");
        await().atMost(20, TimeUnit.SECONDS).until(() -> counter(callerOut, "sipFromRemote") >= 3);
        assertThat(lastStatus(callerOut)).contains("\"sipFromLocal\":3", "\"sipRefused\":0");

        // 4 of the 12 peers go; the agents' 8 tunnels hold 18 hops, so (8/12)^18 < 0.1 % is the chance none was there
        peers.getFirst().destroyForcibly();
        assertThat(peers.getFirst().waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(60, TimeUnit.SECONDS).until(() -> counter(callerOut, "tunnelsRebuilt") + counter(calleeOut, "tunnelsRebuilt") > 0);

        call(hosts, uasPort, caller.group(2), "2");
        // at least the second call's three answers; a retransmission sent again over a rebuilt route may add some
        await().atMost(20, TimeUnit.SECONDS).until(() -> counter(callerOut, "sipFromRemote") >= 6);
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
        List<String> args = new ArrayList<>(List.of("p2psip", "agent", "--pool", dir.resolve("pool").toString(), "--user-key",
                dir.resolve(name + ".id").toString(), "--listen", hosts.address().apply(host) + ":0", "--refresh", "3s", "--lifetime", "30s",
                "--timeout", "3s", "--status-every", "1s", "--print"));
        args.addAll(List.of(more));
        Process p = d2r2(hosts, host, name, args.toArray(String[]::new));
        Matcher m = AGENT.matcher(firstLine(p));
        assertThat(m.find()).as(Files.readString(dir.resolve("stderr-" + name))).isTrue();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    out.add(line);
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
