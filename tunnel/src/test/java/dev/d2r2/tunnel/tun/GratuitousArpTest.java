package dev.d2r2.tunnel.tun;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A gratuitous ARP from one namespace lands in the neighbour cache of the other end of a veth, with the sender's MAC. */
class GratuitousArpTest {
    @Test
    void theNeighbourLearnsTheAnnouncedAddressAtOurMac() throws Exception {
        try (Netns a = Netns.create("d2r2-tun-ga"); Netns b = Netns.create("d2r2-tun-gb")) {
            a.ip("link", "add", "d2r2-tun-ga0", "type", "veth", "peer", "name", "d2r2-tun-gb0", "netns", b.name());
            a.ip("link", "set", "d2r2-tun-ga0", "address", "02:00:00:00:0a:01", "up");
            b.ip("addr", "add", "10.77.9.2/24", "dev", "d2r2-tun-gb0");
            b.ip("link", "set", "d2r2-tun-gb0", "up");
            exec(b, "sysctl", "-q", "-w", "net.ipv4.conf.d2r2-tun-gb0.arp_accept=1");
            GratuitousArp arp = a.call(() -> GratuitousArp.open("d2r2-tun-ga0"));
            try (arp) {
                arp.announce(0x0a4d0909);
                await().atMost(Duration.ofSeconds(10)).until(() -> exec(b, "ip", "neigh", "show", "10.77.9.9").contains("02:00:00:00:0a:01"));
            }
        }
    }

    @Test
    void anInterfaceThatIsNotThereIsNamed() throws Exception {
        try (Netns a = Netns.create("d2r2-tun-ga")) {
            assertThatThrownBy(() -> a.call(() -> GratuitousArp.open("d2r2-tun-none"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("no interface d2r2-tun-none");
        }
    }

    private static String exec(Netns ns, String... command) throws Exception {
        String[] all = new String[command.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = ns.name();
        System.arraycopy(command, 0, all, 4, command.length);
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
