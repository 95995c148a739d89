package dev.d2r2.app;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CoSIP in network namespaces with credentials from the provider: `d2r2 sip-server` issuing them
 * and the overlay's seed node on host 1, alice's CoSIP proxy and a SIPp uac on host 2, bob's proxy
 * and a SIPp uas on host 3, each a process of its own. Both users register (the test's namespace
 * on the switch plays their registering user agents), their credentials show up in the DHT under
 * the provider's key, the provider is killed with SIGKILL, and SIPp's calls from alice to bob go
 * through the DHT, bob's proxy taking them on alice's credential alone (no roster anywhere). Then
 * the provider is started again: both proxies go back to server mode and new calls go through it
 * (alice's proxy counts them answered through the server, the provider counts their INVITEs; the
 * provider sends them to bob's registered contact, so bob's proxy sees them no more).
 */
class CosipNamespaceTest {
    private static final SwitchedHosts LAN = new SwitchedHosts("hcocred", "10.79.0.", 3);
    private static final Path SIPP = Path.of("/usr/bin/sipp");
    private static final Path UAC = Path.of("../cosip/src/test/resources/sipp/uac-alice.xml");
    private static final int CLIENT = 9;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs root and iproute2 for network namespaces");
        Peers.require(SIPP, "sip-tester");
        removeTopology();
        LAN.create();
        LAN.addClient(CLIENT);
    }

    @AfterEach
    void removeTopology() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        LAN.remove();
    }

    private Process in(int host, String name, List<String> command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", LAN.host(host)));
        c.addAll(command);
        Process p = new ProcessBuilder(c).redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private Process d2r2(int host, String name, String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        c.addAll(List.of(args));
        return in(host, name, c);
    }

    private String file(String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private Process proxy(int host, String user, Path key, String providerKey) throws IOException {
        String me = LAN.address(host);
        return d2r2(host, user, "cosip", "--listen", me + ":5061", "--peer-listen", me + ":5070", "--server", LAN.address(1) + ":5060",
                "--domain", "example.org", "--dht", LAN.address(1) + ":4100", "--dht-listen", me + ":4100", "--network-key", key.toString(),
                "--keypair", dir.resolve(user + ".id").toString(), "--provider-key", providerKey, "--print");
    }

    /** Registers {@code user} at {@code contact} through the proxy on {@code host}, from the test's namespace. */
    private static void register(int host, String user, String contact) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LAN.address(CLIENT), 0))) {
            s.setSoTimeout(2000);
            String register = ("REGISTER sip:example.org SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKreg%s\r\nFrom: <sip:%s@example.org>;tag=r1\r\n"
                    + "To: <sip:%s@example.org>\r\nCall-ID: reg-%s@hcocred\r\nCSeq: 1 REGISTER\r\nContact: <sip:%s@%s>\r\nExpires: 600\r\n"
                    + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").formatted(LAN.address(CLIENT), s.getLocalPort(), user, user, user, user, user, contact);
            byte[] bytes = register.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(LAN.address(host), 5061)));
            byte[] buf = new byte[4096];
            DatagramPacket answer = new DatagramPacket(buf, buf.length);
            s.receive(answer);
            assertThat(new String(buf, 0, answer.getLength(), StandardCharsets.US_ASCII)).startsWith("SIP/2.0 200");
        }
    }

    /** The data of the provider's value for {@code user} in the DHT, as `d2r2 overlay get` prints it from host 1. */
    private String credentialInDht(Path key, String providerKey, String user) throws Exception {
        Process p = d2r2(1, "get-" + user, "overlay", "get", "--network-key", key.toString(), "--listen", LAN.address(1) + ":0", "--via",
                LAN.address(1) + ":4100", "--timeout", "3s", "--owner", providerKey, "--name", "sip:" + user + "@example.org");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return file("get-" + user + ".out");
    }

    /** A counter from those a process prints at exit ({@code name=value} in a map), or 0. */
    private static long counter(String err, String name) {
        Matcher m = Pattern.compile("[{ ]" + Pattern.quote(name) + "=(\\d+)").matcher(err);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String publicKey(Path keypair) throws IOException {
        return Files.readAllLines(keypair).get(1).substring("public ".length()).strip();
    }

    @Test
    void callsGoThroughTheDhtOnTheKilledProvidersCredentials() throws Exception {
        Path key = dir.resolve("net.key");
        assertThat(Main.commandLine().execute("overlay", "keygen", key.toString())).isZero();
        Process seed = d2r2(1, "seed", "overlay", "node", "--network-key", key.toString(), "--listen", LAN.address(1) + ":4100",
                "--status-every", "1h");
        Path providerId = dir.resolve("provider.id");
        Process provider = d2r2(1, "provider", "sip-server", "--listen", LAN.address(1) + ":5060", "--cosip-keypair", providerId.toString(),
                "--cosip-domain", "example.org");
        await().atMost(Duration.ofSeconds(30)).until(() -> file("provider.err").contains("issuing CoSIP credentials"));
        await().atMost(Duration.ofSeconds(30)).until(() -> file("seed.out").startsWith("overlay node "));
        String providerKey = publicKey(providerId);
        Process alice = proxy(2, "alice", key, providerKey);
        Process bob = proxy(3, "bob", key, providerKey);
        in(3, "uas", List.of(SIPP.toString(), "-sn", "uas", "-i", LAN.address(3), "-p", "5080", "-nostdin"));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> register(2, "alice", LAN.address(CLIENT) + ":5999"));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> register(3, "bob", LAN.address(3) + ":5080"));
        for (String user : List.of("alice", "bob")) {
            String proxyKey = publicKey(dir.resolve(user + ".id"));
            await().atMost(Duration.ofSeconds(30)).until(() -> credentialInDht(key, providerKey, user).startsWith("key=" + proxyKey + ";expires="));
        }

        provider.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> file("alice.out").contains("p2p") && file("bob.out").contains("p2p"));

        Process uac = in(2, "uac", List.of(SIPP.toString(), "-sf", UAC.toAbsolutePath().toString(), LAN.address(2) + ":5061", "-s", "bob",
                "-i", LAN.address(2), "-p", "5090", "-m", "3", "-r", "10", "-d", "100", "-timeout", "30s", "-timeout_error", "-nostdin"));
        assertThat(uac.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(uac.exitValue()).as(file("uac.out") + file("alice.err") + file("bob.err")).isZero();

        Process back = d2r2(1, "provider-back", "sip-server", "--listen", LAN.address(1) + ":5060", "--cosip-keypair", providerId.toString(),
                "--cosip-domain", "example.org");
        await().atMost(Duration.ofSeconds(60)).until(() -> file("alice.out").contains("provider-up") && file("bob.out").contains("provider-up"));
        // bob's proxy registers him again on its own once the provider is back; until then a call gets an error answer
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Process again = in(2, "uac-back", List.of(SIPP.toString(), "-sf", UAC.toAbsolutePath().toString(), LAN.address(2) + ":5061", "-s",
                    "bob", "-i", LAN.address(2), "-p", "5091", "-m", "3", "-r", "10", "-d", "100", "-timeout", "30s", "-timeout_error", "-nostdin"));
            assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(file("uac-back.out")).isZero();
        });

        for (Process p : List.of(alice, bob, back)) {
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(file("bob.err")).as("bob's proxy took three calls from the DHT").contains("calls.in.via-dht=3");
        assertThat(counter(file("alice.err"), "calls.answered.via-server")).as("then alice's proxy sent three through the provider back: "
                + file("alice.err")).isGreaterThanOrEqualTo(3);
        assertThat(counter(file("provider-back.err"), "invite")).as("the provider back saw the new calls' INVITEs").isGreaterThanOrEqualTo(3);
        assertThat(seed.isAlive()).isTrue();
    }
}
