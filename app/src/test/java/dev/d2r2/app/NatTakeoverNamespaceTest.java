package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.migrate.events.AddressChange;
import dev.d2r2.migrate.events.MigrateEvents;
import dev.d2r2.migrate.events.NatSteered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.d2r2.app.SwitchedHosts.must;
import static dev.d2r2.app.SwitchedHosts.out;
import static dev.d2r2.app.SwitchedHosts.sh;
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
    private static final String[] NAMES = {"master", "backup", "front"};
    private static final String[] ROLES = {"master", "backup", "witness"};

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void topology() throws Exception {
        removeTopology();
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
    }

    @AfterEach
    void removeTopology() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        sh("ip", "link", "del", CLIENT_LINK);
        LAN.remove();
    }

    private Process d2r2In(int host, List<String> wrapper, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", LAN.host(host)));
        command.addAll(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr-" + host + "-" + processes.size()).toFile()).start();
        processes.add(p);
        return p;
    }

    /** A member's process and the events it printed. */
    private record Member(Process process, List<Event> events) {
        List<AddressChange> changes() {
            return events.stream().filter(e -> !e.type().equals(MigrateEvents.NAT_STEERED.name())).map(e -> {
                try {
                    return AddressChange.from(e);
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }).toList();
        }

        boolean holds() {
            List<AddressChange> c = changes();
            return !c.isEmpty() && c.getLast().acquired();
        }

        List<NatSteered> steered() {
            return events.stream().filter(e -> e.type().equals(MigrateEvents.NAT_STEERED.name())).map(e -> {
                try {
                    return NatSteered.from(e);
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }).toList();
        }

        boolean steersTo(String member, long epoch) {
            List<NatSteered> s = steered();
            return !s.isEmpty() && s.getLast().member().equals(member) && s.getLast().epoch() == epoch;
        }
    }

    private Member member(int i) throws IOException {
        StringBuilder yaml = new StringBuilder("name: " + NAMES[i - 1] + "\nrole: " + ROLES[i - 1] + "\nlisten: "
                + LAN.address(i) + ":7400\nkeyFile: group.key\nperiod: 20ms\nmisses: 5\nmargin: 5\npeers:\n");
        for (int j = 1; j <= 3; j++) {
            if (j != i) {
                yaml.append("  - name: ").append(NAMES[j - 1]).append("\n    address: ").append(LAN.address(j)).append(":7400\n");
            }
        }
        if (i == 3) {
            yaml.append("nat:\n  public: ").append(PUBLIC.getAddress().getHostAddress()).append(':').append(PUBLIC.getPort())
                    .append("\n  table: d2r2_mgn\n  targets:\n    master: ").append(LAN.address(1)).append(":5060\n    backup: ")
                    .append(LAN.address(2)).append(":5060\n");
        }
        Path file = dir.resolve(NAMES[i - 1] + ".yaml");
        Files.writeString(file, yaml);
        Process p = d2r2In(i, List.of("chrt", "-r", "10"), "takeover", "--config", file.toString());
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    events.add(EventCodec.decode(line));
                }
            } catch (Exception e) {
                events.add(Event.message("unreadable", 0, NAMES[i - 1], java.util.Map.of("error", e.toString())));
            }
        });
        return new Member(p, events);
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
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
        await("the backup to stand by", 60_000, () -> front.steered().size() == 1 && backupRunning());
        return new Member[] {master, backup, front};
    }

    private boolean backupRunning() {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("stderr-2-")).anyMatch(f -> {
                try {
                    return Files.readString(f).contains("keepalives every");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static void answeredWithin(DatagramSocket socket, int[] seq, String what) throws IOException {
        int first = seq[0];
        while (!SipOptions.answered(socket, PUBLIC, ++seq[0])) {
            assertThat(seq[0] - first).as(what).isLessThan(300);
        }
    }

    @Test
    void theClientsTrafficToThePublicAddressReachesTheBackupAfterTheMasterDies() throws Exception {
        d2r2In(1, List.of(), "sip-server", "--listen", "0.0.0.0:5060");
        d2r2In(2, List.of(), "sip-server", "--listen", "0.0.0.0:5060");
        Member[] group = startGroup();
        assertThat(rules()).contains("ip daddr set " + LAN.address(1));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(CLIENT, 0))) {
            socket.connect(PUBLIC); // answers count only from the public address: the front rewrote them back
            socket.setSoTimeout(200);
            int[] seq = {0};
            answeredWithin(socket, seq, "the master's sip-server never answered through the front");
            processes.get(0).destroyForcibly();
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
