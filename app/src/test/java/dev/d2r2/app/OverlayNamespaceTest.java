package dev.d2r2.app;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.SwitchedHosts.must;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Four DHT nodes, each a `d2r2 overlay node` process in its own network namespace, on veth links
 * to a bridge in a fifth: a value put through one node is still got after the link of the node
 * the others joined through is set down (the lookups go around it, the value lives on the other
 * replicas), while a get through that node now fails.
 */
class OverlayNamespaceTest {
    private static final int HOSTS = 4;
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-ovl", "10.77.0.", HOSTS);

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        removeTopology();
        LAN.create();
    }

    @AfterEach
    void removeTopology() throws Exception {
        for (Process p : processes) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        LAN.remove();
    }

    private ProcessBuilder d2r2In(int host, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", LAN.host(host),
                ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private void startNode(int host, Path key) throws IOException {
        List<String> args = new ArrayList<>(List.of("overlay", "node", "--network-key", key.toString(), "--listen",
                LAN.address(host) + ":4100", "--status-every", "1h"));
        if (host > 1) {
            args.addAll(List.of("--join", LAN.address(1) + ":4100"));
        }
        Process p = d2r2In(host, args.toArray(String[]::new)).redirectErrorStream(true).start();
        processes.add(p);
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).startsWith("overlay node ");
    }

    private record Run(int code, String out) {
    }

    private Run cli(int host, String... args) throws IOException, InterruptedException {
        Process p = d2r2In(host, args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void aValueOutlivesTheLinkOfTheNodeEveryoneJoinedThrough() throws Exception {
        Path key = dir.resolve("net.key");
        assertThat(cli(1, "overlay", "keygen", key.toString()).code()).isZero();
        for (int i = 1; i <= HOSTS; i++) {
            startNode(i, key);
        }
        Path alice = dir.resolve("alice.id");
        Run put = cli(2, "overlay", "put", "--network-key", key.toString(), "--listen", LAN.address(2) + ":0", "--via",
                LAN.address(2) + ":4100", "--identity", alice.toString(), "--name", "sip:alice@example.org", "10.77.0.2:5060");
        assertThat(put.code()).as(put.out()).isZero();
        assertThat(put.out()).contains("stored on 4 of 4 nodes");
        String owner = Files.readAllLines(alice).get(1).substring("public ".length());

        must("ip", "-n", LAN.switchName(), "link", "set", LAN.port(1), "down");

        Run got = cli(4, "overlay", "get", "--network-key", key.toString(), "--listen", LAN.address(4) + ":0", "--via",
                LAN.address(3) + ":4100", "--owner", owner, "--name", "sip:alice@example.org");
        assertThat(got.code()).isZero();
        assertThat(got.out()).isEqualTo("10.77.0.2:5060\n");
        Run cut = cli(4, "overlay", "get", "--network-key", key.toString(), "--listen", LAN.address(4) + ":0", "--via",
                LAN.address(1) + ":4100", "--timeout", "3s", "--owner", owner, "--name", "sip:alice@example.org");
        assertThat(cut.code()).as("node 1 is cut off").isEqualTo(1);
    }
}
