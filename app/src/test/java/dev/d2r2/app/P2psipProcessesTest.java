package dev.d2r2.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pr2-P2PSIP across processes: peers in three {@code d2r2 p2psip peer} processes, the caller's and the
 * callee's {@code d2r2 p2psip agent} each in its own, and SIPp behind each face. A call goes through;
 * then a peer process is killed (its peers are hops of the agents' tunnels), the agents rebuild their
 * tunnels through the peers left, and the next call goes through too.
 */
class P2psipProcessesTest {
    private static final Pattern AGENT = Pattern.compile("p2psip agent ([0-9a-f]{64}): SIP face on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern REBUILT = Pattern.compile("\"tunnelsRebuilt\":(\\d+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final D2r2Processes processes = new D2r2Processes(() -> dir);

    @Test
    void callsGoBetweenAgentProcessesAndSurviveAPeerProcessKilled() throws Exception {
        assertThat(Path.of("/usr/bin/sipp")).as("SIPp (package sip-tester) must be installed").exists();
        Path key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
        Path pool = dir.resolve("pool");
        List<Process> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Process p = processes.start("peer" + i, "p2psip", "peer", "--pool", pool.toString(), "--network-key", key.toString(),
                    "--name", "p" + i, "--peers", "4");
            assertThat(firstLine(p)).startsWith("p2psip peer p" + i + ": 4 peers");
            peers.add(p);
        }

        int uasPort = freeUdpPort();
        List<String> calleeOut = new CopyOnWriteArrayList<>();
        Matcher callee = startAgent("callee", calleeOut, "--sip-ua", "127.0.0.1:" + uasPort);
        List<String> callerOut = new CopyOnWriteArrayList<>();
        Matcher caller = startAgent("caller", callerOut, "--contact", "bob=" + callee.group(1));

        call(uasPort, caller.group(2), "1");
        assertThat(lastStatus(callerOut)).contains("\"sipFromLocal\":3", "\"sipFromRemote\":3", "\"sipRefused\":0");

        // 4 of the 12 peers go; the agents' 8 tunnels hold 18 hops, so (8/12)^18 < 0.1 % is the chance none was there
        peers.getFirst().destroyForcibly();
        assertThat(peers.getFirst().waitFor(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(60, TimeUnit.SECONDS).until(() -> rebuilt(callerOut) + rebuilt(calleeOut) > 0);

        call(uasPort, caller.group(2), "2");
        await().atMost(20, TimeUnit.SECONDS).until(() -> lastStatus(callerOut).contains("\"sipFromRemote\":6"));
        assertThat(lastStatus(callerOut)).contains("\"sipRefused\":0");
    }

    private Matcher startAgent(String name, List<String> out, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("p2psip", "agent", "--pool", dir.resolve("pool").toString(), "--user-key",
                dir.resolve(name + ".id").toString(), "--listen", "127.0.0.1:0", "--refresh", "3s", "--lifetime", "30s",
                "--timeout", "2s", "--status-every", "1s", "--print"));
        args.addAll(List.of(more));
        Process p = processes.start(name, args.toArray(String[]::new));
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
    private void call(int uasPort, String callerFacePort, String name) throws Exception {
        Process uas = sipp("uas" + name, "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-m", "1");
        try {
            Process uac = sipp("uac" + name, "-sn", "uac", "127.0.0.1:" + callerFacePort, "-s", "bob", "-i", "127.0.0.1",
                    "-p", Integer.toString(freeUdpPort()), "-m", "1", "-timeout", "60s", "-timeout_error");
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

    private static long rebuilt(List<String> out) {
        Matcher m = REBUILT.matcher(lastStatus(out));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private Process sipp(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/sipp"));
        cmd.addAll(List.of(args));
        cmd.add("-nostdin");
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
