package dev.d2r2.migrate.takeover;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The packet socket's gratuitous ARP (needs root): a veth whose near end is in the test's
 * namespace and far end in a namespace of its own, where a neighbour entry binds the address to
 * another MAC; one announcement rebinds it to the near end's MAC, with no arping.
 */
class GratuitousArpTest {
    private static final String NS = "d2r2-garp";
    private static final String NEAR = "d2r2-garpa";
    private static final String FAR = "d2r2-garpb";
    private static final String IP = "10.97.31.100";

    @BeforeEach
    void link() throws Exception {
        remove();
        assertThat(run("ip", "netns", "add", NS)).isZero();
        assertThat(run("ip", "link", "add", NEAR, "type", "veth", "peer", "name", FAR, "netns", NS)).isZero();
        assertThat(run("ip", "link", "set", NEAR, "up")).isZero();
        assertThat(run("ip", "-n", NS, "addr", "add", "10.97.31.2/24", "dev", FAR)).isZero();
        assertThat(run("ip", "-n", NS, "link", "set", FAR, "up")).isZero();
        assertThat(run("ip", "-n", NS, "neigh", "replace", IP, "lladdr", "02:00:00:00:00:01", "dev", FAR, "nud", "stale")).isZero();
    }

    @AfterEach
    void remove() throws Exception {
        run("ip", "link", "del", NEAR);
        run("ip", "netns", "del", NS);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static String neighbour() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "-n", NS, "neigh", "show", IP, "dev", FAR).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text;
    }

    @Test
    void oneAnnouncementRebindsTheNeighboursEntryToThisInterfacesMac() throws Exception {
        String mac = HexFormat.ofDelimiter(":").formatHex(NetworkInterface.getByName(NEAR).getHardwareAddress());
        assertThat(neighbour()).contains("02:00:00:00:00:01");
        try (GratuitousArp arp = new GratuitousArp(NEAR, IP)) {
            arp.announce(2);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(neighbour()).contains(mac));
    }

    @Test
    void anInterfaceThatIsNotThereOrAnAddressThatIsNotIpv4IsAClearError() {
        assertThatThrownBy(() -> new GratuitousArp("d2r2-nosuch", IP)).isInstanceOf(IOException.class)
                .hasMessageContaining("no Ethernet interface d2r2-nosuch");
        assertThatThrownBy(() -> new GratuitousArp(NEAR, "::1")).isInstanceOf(IOException.class)
                .hasMessageContaining("not an IPv4 address");
    }
}
