package dev.d2r2.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code d2r2 p2psip ua}: a SIPp call from the caller's face to a SIPp UAS behind the callee's, and the status events counting it. */
class P2psipUaCliTest {
    private static final Pattern STARTED = Pattern.compile("caller's SIP face on 127\\.0\\.0\\.1:(\\d+), calls to sip:bob@");

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    @Test
    void aSippCallGoesThroughTheFacesAndIsCounted() throws Exception {
        assertThat(Path.of("/usr/bin/sipp")).as("SIPp (package sip-tester) must be installed").exists();
        int uasPort = freeUdpPort();
        Process uas = sipp("uas", "-sn", "uas", "-i", "127.0.0.1", "-p", Integer.toString(uasPort), "-m", "1");
        try {
            CompletableFuture<Integer> ua = CompletableFuture.supplyAsync(() -> Main.commandLine().execute("p2psip", "ua",
                    "--listen", "127.0.0.1:0", "--callee-listen", "127.0.0.1:0", "--callee-ua", "127.0.0.1:" + uasPort, "--peers", "10",
                    "--status-every", "1s", "--count", "15", "--print"));
            await().atMost(60, TimeUnit.SECONDS).until(() -> STARTED.matcher(console.out()).find());
            Matcher m = STARTED.matcher(console.out());
            assertThat(m.find()).isTrue();

            Process uac = sipp("uac", "-sn", "uac", "127.0.0.1:" + m.group(1), "-s", "bob", "-i", "127.0.0.1",
                    "-p", Integer.toString(freeUdpPort()), "-m", "1", "-timeout", "30s", "-timeout_error");
            assertThat(uac.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(uac.exitValue()).as(Files.readString(dir.resolve("uac.out"))).isZero();

            assertThat(ua.get(60, TimeUnit.SECONDS)).isZero();
            List<String> caller = console.out().lines().filter(l -> l.contains("\"source\":\"127.0.0.1:" + m.group(1) + "\"")).toList();
            assertThat(caller.getLast()).startsWith("{\"type\":\"p2psip.ua.status\"")
                    .contains("\"sipFromLocal\":3", "\"sipFromRemote\":3", "\"lookups\":1", "\"sipRefused\":0");
        } finally {
            uas.destroy();
        }
    }

    @Test
    void tooFewPeersIsRefused() {
        assertThat(Main.commandLine().execute("p2psip", "ua", "--callee-ua", "127.0.0.1:5080", "--peers", "4")).isEqualTo(2);
        assertThat(console.err()).contains("--peers: at least 6");
    }

    @Test
    void peerAndAgentRefuseBadOptions() {
        String asKey = "ab".repeat(32);
        assertThat(Main.commandLine().execute("p2psip", "peer", "--network-key", dir.resolve("net.key").toString(), "--forwarding-key",
                dir.resolve("fwd.key").toString(), "--as-key", asKey, "--pseudonyms", dir.toString(), "--peers", "0")).isEqualTo(2);
        assertThat(console.err()).contains("--peers: 1–64");
        assertThat(Main.commandLine().execute("p2psip", "peer", "--network-key", dir.resolve("net.key").toString(), "--forwarding-key",
                dir.resolve("fwd.key").toString(), "--as-key", "xyz", "--pseudonyms", dir.toString())).isEqualTo(2);
        assertThat(console.err()).contains("--as-key:1:1: expected 64 hex digits");
        List<String> agent = List.of("p2psip", "agent", "--forwarding-seed", "127.0.0.1:1", "--forwarding-key", dir.resolve("fwd.key").toString(),
                "--as-key", asKey, "--user-key", dir.resolve("u.key").toString());
        assertThat(Main.commandLine().execute(concat(agent, "--contact", "bob=xyz"))).isEqualTo(2);
        assertThat(console.err()).contains("--contact bob");
        assertThat(Main.commandLine().execute(concat(agent, "--pool-min", "40"))).isEqualTo(2);
        assertThat(console.err()).contains("--pool-min: 1 to --pool-size (32), not 40");
        assertThat(dir.resolve("u.key")).doesNotExist();
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private Process sipp(String name, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/sipp"));
        cmd.addAll(List.of(args));
        cmd.add("-nostdin");
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile())
                .start();
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
