package dev.d2r2.app;

import dev.d2r2.app.TakeoverProcesses.Member;
import dev.d2r2.migrate.events.NatSteered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.d2r2.app.SwitchedHosts.must;
import static dev.d2r2.app.SwitchedHosts.out;
import static dev.d2r2.app.SwitchedHosts.sh;
import static dev.d2r2.app.TakeoverProcesses.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * NAT takeover in namespaces: the master (h1) and the backup (h2) serve SIP on a private segment
 * behind the front (h3), the group's witness, which routes between that segment and the
 * clients' link and steers the public address to the holder with its nftables rule. The test's
 * own namespace is the client, on its own link to the front, and sends SIP OPTIONS to the public
 * address from one socket connected to it (so only answers that come back from the public
 * address count). Real `d2r2 takeover` and `d2r2 sip-server` processes; needs root.
 */
class NatTakeoverNamespaceTest {
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-mgn", "10.97.27.", 3);
    private static final String CLIENT_LINK = "d2r2-mgn-p";
    private static final String FRONT_LINK = "d2r2-mgnp";
    private static final String CLIENT = "10.97.28.9";
    private static final InetSocketAddress PUBLIC = new InetSocketAddress("10.97.28.1", 5060);

    @TempDir
    Path dir;
    private TakeoverProcesses processes;

    @BeforeEach
    void topology() throws Exception {
        sh("ip", "link", "del", CLIENT_LINK);
        LAN.remove();
        LAN.create();
        String front = LAN.host(3);
        must("ip", "link", "add", CLIENT_LINK, "type", "veth", "peer", "name", FRONT_LINK);
        must("ip", "link", "set", FRONT_LINK, "netns", front);
        must("ip", "-n", front, "addr", "add", PUBLIC.getAddress().getHostAddress() + "/24", "dev", FRONT_LINK);
        must("ip", "-n", front, "link", "set", FRONT_LINK, "up");
        must("ip", "netns", "exec", front, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        must("ip", "addr", "add", CLIENT + "/24", "dev", CLIENT_LINK);
        must("ip", "link", "set", CLIENT_LINK, "up");
        for (int i = 1; i <= 2; i++) {
            must("ip", "-n", LAN.host(i), "route", "add", "default", "via", LAN.address(3));
        }
        Files.writeString(dir.resolve("group.key"), "6e".repeat(32) + "\n");
        processes = new TakeoverProcesses(LAN, dir, "master", "backup", "front");
    }

    @AfterEach
    void removeTopology() throws Exception {
        if (processes != null) {
            processes.stop();
        }
        sh("ip", "link", "del", CLIENT_LINK);
        LAN.remove();
    }

    private Member member(int i) throws IOException {
        return processes.member(i, i != 3 ? "" : "nat:\n  public: " + PUBLIC.getAddress().getHostAddress() + ':' + PUBLIC.getPort()
                + "\n  table: d2r2_mgn\n  targets:\n    master: " + LAN.address(1) + ":5060\n    backup: " + LAN.address(2) + ":5060\n");
    }

    private static String rules() throws IOException, InterruptedException {
        return out("ip", "netns", "exec", LAN.host(3), "nft", "list", "table", "ip", "d2r2_mgn");
    }

    private Member[] startGroup() throws Exception {
        Member front = member(3);
        Member master = member(1);
        await("the master to acquire", 60_000, master::holds);
        await("the front to steer to the master", 60_000, () -> front.steersTo("master", 1));
        Member backup = member(2);
        await("the backup to stand by", 60_000, () -> front.steered().size() == 1 && processes.backupRunning());
        return new Member[] {master, backup, front};
    }

    private static void answeredWithin(DatagramSocket socket, int[] seq, String what) throws IOException {
        int first = seq[0];
        while (!SipOptions.answered(socket, PUBLIC, ++seq[0])) {
            assertThat(seq[0] - first).as(what).isLessThan(300);
        }
    }

    @Test
    void theClientsTrafficToThePublicAddressReachesTheBackupAfterTheMasterDies() throws Exception {
        processes.d2r2In(1, "sip-server", "--listen", "0.0.0.0:5060");
        processes.d2r2In(2, "sip-server", "--listen", "0.0.0.0:5060");
        Member[] group = startGroup();
        assertThat(rules()).contains("ip daddr set " + LAN.address(1));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(CLIENT, 0))) {
            socket.connect(PUBLIC); // answers count only from the public address: the front rewrote them back
            socket.setSoTimeout(200);
            int[] seq = {0};
            answeredWithin(socket, seq, "the master's sip-server never answered through the front");
            processes.process(0).destroyForcibly();
            group[0].process().destroyForcibly();
            must("ip", "-n", LAN.host(1), "link", "set", LAN.link(1), "down");
            answeredWithin(socket, seq, "nobody answered on the public address after the master died");
        }
        await("the backup to hold", 10_000, group[1]::holds);
        assertThat(group[1].changes().getLast().epoch()).isEqualTo(2);
        await("the front's event, read from its stdout", 10_000, () -> group[2].steered().size() == 2);
        NatSteered last = group[2].steered().getLast();
        assertThat(last.member()).isEqualTo("backup");
        assertThat(last.target()).isEqualTo(LAN.address(2) + ":5060");
        assertThat(last.epoch()).isEqualTo(2);
        assertThat(rules()).contains("ip daddr set " + LAN.address(2)).doesNotContain(LAN.address(1));
    }

    @Test
    void aPartitionedMasterIsFencedAtTheFrontAndNeverSteeredBackTo() throws Exception {
        Member[] group = startGroup();
        must("ip", "-n", LAN.switchName(), "link", "set", LAN.port(1), "down");
        await("the front to steer to the backup", 10_000, () -> group[2].steersTo("backup", 2));
        await("the master to release", 10_000, () -> !group[0].holds());
        assertThat(rules()).contains("ip daddr set " + LAN.address(2));

        must("ip", "-n", LAN.switchName(), "link", "set", LAN.port(1), "up");
        Thread.sleep(2000); // an observation window, not a synchronisation: healed, nothing may change
        assertThat(group[2].steered()).extracting(NatSteered::member).containsExactly("master", "backup");
        assertThat(rules()).contains("ip daddr set " + LAN.address(2));
    }
}
