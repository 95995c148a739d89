package dev.d2r2.app;

import dev.d2r2.migrate.takeover.IpServiceAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static dev.d2r2.app.SwitchedHosts.must;
import static dev.d2r2.app.SwitchedHosts.out;
import static dev.d2r2.app.SwitchedHosts.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service address moves from host 1 to the test's own namespace (the new host, through
 * {@link IpServiceAddress}) while host 2, a neighbour, has just resolved it to host 1's MAC: the
 * gratuitous ARP must rebind host 2's entry at once, or host 2 would keep sending to host 1 until
 * its entry went stale (15 to 45 s) and then failed a probe. Needs root (CI runs as root).
 */
class IpServiceAddressNamespaceTest {
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-mga", "10.97.26.", 2);
    private static final String SERVICE = "10.97.26.100";

    @BeforeEach
    void topology() throws Exception {
        LAN.create();
        LAN.addClient(9);
    }

    @AfterEach
    void removeTopology() throws Exception {
        LAN.remove();
    }

    private static String neighbourEntry() throws IOException, InterruptedException {
        return out("ip", "-n", LAN.host(2), "neigh", "show", SERVICE, "dev", LAN.link(2));
    }

    private static String mac(String... linkShow) throws IOException, InterruptedException {
        String text = out(linkShow);
        int at = text.indexOf("link/ether ") + "link/ether ".length();
        return text.substring(at, at + 17);
    }

    @Test
    void aNeighbourThatJustResolvedTheAddressFollowsItToTheNewHost() throws Exception {
        String oldMac = mac("ip", "-n", LAN.host(1), "link", "show", LAN.link(1));
        String newMac = mac("ip", "link", "show", LAN.clientLink());
        must("ip", "-n", LAN.host(1), "addr", "add", SERVICE + "/24", "dev", LAN.link(1));
        // resolved right before the move, within the neighbour's locktime: an unsolicited ARP reply would not replace it
        must("ip", "netns", "exec", LAN.host(2), "ping", "-c", "1", "-W", "2", SERVICE);
        assertThat(neighbourEntry()).contains(oldMac);

        must("ip", "-n", LAN.host(1), "addr", "del", SERVICE + "/24", "dev", LAN.link(1));
        IpServiceAddress moved = new IpServiceAddress(SERVICE + "/24", LAN.clientLink());
        moved.acquire();

        await("host 2's entry to hold the new host's MAC").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> neighbourEntry().contains(newMac));
        assertThat(sh("ip", "netns", "exec", LAN.host(2), "ping", "-c", "1", "-W", "2", SERVICE))
                .as("host 2 reaches the address at the new host").isTrue();

        moved.release();
        moved.release();
        assertThat(out("ip", "addr", "show", "dev", LAN.clientLink())).doesNotContain(SERVICE + "/");
    }
}
