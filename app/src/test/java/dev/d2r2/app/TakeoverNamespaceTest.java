package dev.d2r2.app;

import dev.d2r2.app.TakeoverProcesses.Member;
import dev.d2r2.migrate.events.AddressChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.d2r2.app.SwitchedHosts.must;
import static dev.d2r2.app.SwitchedHosts.out;
import static dev.d2r2.app.TakeoverProcesses.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An IP takeover group of three `d2r2 takeover` processes (master, backup, witness), each in its
 * own network namespace on a bridge, with a `d2r2 sip-server` beside the master and the backup;
 * the test's own namespace joins the bridge as the client and sends SIP OPTIONS to the service
 * address. Needs root (CI runs as root): a missing namespace fails the test.
 */
class TakeoverNamespaceTest {
    private static final SwitchedHosts LAN = new SwitchedHosts("d2r2-mg", "10.97.23.", 3);
    private static final String SERVICE = "10.97.23.100";

    @TempDir
    Path dir;
    private TakeoverProcesses processes;

    @BeforeEach
    void topology() throws Exception {
        LAN.remove();
        LAN.create();
        LAN.addClient(9);
        Files.writeString(dir.resolve("group.key"), "5f".repeat(32) + "\n");
        processes = new TakeoverProcesses(LAN, dir, "master", "backup", "witness");
    }

    @AfterEach
    void removeTopology() throws Exception {
        if (processes != null) {
            processes.stop();
        }
        LAN.remove();
    }

    private Member member(int i) throws IOException {
        return processes.member(i, i == 3 ? "" : "address: " + SERVICE + "/24\ninterface: " + LAN.link(i) + "\n");
    }

    private static String mac(int i) throws IOException, InterruptedException {
        String text = out("ip", "-n", LAN.host(i), "link", "show", LAN.link(i));
        int at = text.indexOf("link/ether ") + "link/ether ".length();
        return text.substring(at, at + 17);
    }

    private static boolean hasService(int i) throws IOException, InterruptedException {
        return out("ip", "-n", LAN.host(i), "addr", "show", "dev", LAN.link(i)).contains(SERVICE + "/24");
    }

    private Member[] startGroup() throws Exception {
        Member witness = member(3);
        Member master = member(1);
        await("the master to acquire the address", 60_000, master::holds);
        Member backup = member(2);
        await("the backup to run", 60_000, processes::backupRunning);
        return new Member[] {master, backup, witness};
    }

    @Test
    void theBackupAnswersOnTheAddressSoonAfterTheMasterHostDies() throws Exception {
        processes.d2r2In(1, "sip-server", "--listen", "0.0.0.0:5060");
        processes.d2r2In(2, "sip-server", "--listen", "0.0.0.0:5060");
        Member[] group = startGroup();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LAN.address(9), 0))) {
            socket.setSoTimeout(200);
            int seq = 0;
            while (!SipOptions.answered(socket, new InetSocketAddress(SERVICE, 5060), ++seq)) {
                assertThat(seq).as("the master's sip-server never answered").isLessThan(300);
            }
            assertThat(out("ip", "neigh", "show", SERVICE, "dev", LAN.clientLink())).contains(mac(1));
            processes.process(0).destroyForcibly();
            group[0].process().destroyForcibly();
            must("ip", "-n", LAN.host(1), "link", "set", LAN.link(1), "down");
            long killed = System.nanoTime();
            while (!SipOptions.answered(socket, new InetSocketAddress(SERVICE, 5060), ++seq)) {
                assertThat(seq).as("nobody answered after the master died").isLessThan(300);
            }
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertThat(answeredMs).as("well before the kernel would re-resolve the address (5 s delay probe)").isLessThan(4000);
            assertThat(out("ip", "neigh", "show", SERVICE, "dev", LAN.clientLink())).as("the gratuitous ARP rebound the address")
                    .contains(mac(2));
        }
        assertThat(group[1].holds()).isTrue();
        assertThat(group[1].changes().getLast().epoch()).isEqualTo(2);
        assertThat(hasService(2)).isTrue();
    }

    @Test
    void aPartitionedMasterReleasesBeforeTheBackupAcquiresAndDoesNotTakeItBack() throws Exception {
        Member[] group = startGroup();
        assertThat(hasService(1)).isTrue();
        must("ip", "-n", LAN.switchName(), "link", "set", LAN.port(1), "down");
        await("the backup to acquire", 10_000, group[1]::holds);
        await("the master to release", 10_000, () -> !group[0].holds());
        AddressChange released = group[0].changes().getLast();
        AddressChange acquired = group[1].changes().getLast();
        assertThat(released.reason()).contains("majority");
        assertThat(released.time()).as("fenced before the backup acquired").isLessThan(acquired.time());
        assertThat(acquired.epoch()).isEqualTo(released.epoch() + 1);
        assertThat(hasService(1)).isFalse();
        assertThat(hasService(2)).isTrue();

        must("ip", "-n", LAN.switchName(), "link", "set", LAN.port(1), "up");
        Thread.sleep(2000); // an observation window, not a synchronisation: healed, nothing may change
        assertThat(group[0].changes()).hasSize(2);
        assertThat(group[1].changes()).hasSize(1);
        assertThat(hasService(1)).isFalse();
        assertThat(hasService(2)).isTrue();
    }
}
