package dev.d2r2.app;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import dev.d2r2.migrate.events.AddressChange;
import dev.d2r2.migrate.events.MigrateEvents;
import dev.d2r2.migrate.events.NatSteered;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the takeover namespace tests share: {@code d2r2} processes started in the hosts of a
 * {@link SwitchedHosts} (standard error to {@code stderr-HOST-N} in the test's directory), takeover
 * group members (master h1, backup h2, witness h3; 20 ms keepalives, 10 misses, margin 10, under
 * {@code chrt -r 10}) with the events they print, and {@link #stop} of them all. The members judge
 * at their deadlines, and a member's JVM starting beside them at the same real-time priority (round
 * robin, 100 ms slices on 2 cores) can hold a keepalive back for 100 ms: with 5 periods (100 ms) the
 * master fenced itself while the backup started and took the address again at a later epoch.
 */
final class TakeoverProcesses {
    private static final String[] ROLES = {"master", "backup", "witness"};

    /** A member's process and the events it printed. */
    record Member(Process process, List<Event> events) {
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

    private final SwitchedHosts lan;
    private final Path dir;
    private final String[] names;
    private final List<Process> processes = new ArrayList<>();

    /** @param names the members' names, h1 to h3 (their roles: master, backup, witness) */
    TakeoverProcesses(SwitchedHosts lan, Path dir, String... names) {
        this.lan = lan;
        this.dir = dir;
        this.names = names;
    }

    /** The processes started, in order. */
    Process process(int index) {
        return processes.get(index);
    }

    Process d2r2In(int host, String... args) throws IOException {
        return d2r2In(host, List.of(), args);
    }

    Process d2r2In(int host, List<String> wrapper, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lan.host(host)));
        command.addAll(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr-" + host + "-" + processes.size()).toFile()).start();
        processes.add(p);
        return p;
    }

    /** Member {@code i} (1 to 3) with its peers, the group's key file and {@code extraYaml} (its address, or nat:). */
    Member member(int i, String extraYaml) throws IOException {
        StringBuilder yaml = new StringBuilder("name: " + names[i - 1] + "\nrole: " + ROLES[i - 1] + "\nlisten: "
                + lan.address(i) + ":7400\nkeyFile: group.key\nperiod: 20ms\nmisses: 10\nmargin: 10\npeers:\n");
        for (int j = 1; j <= 3; j++) {
            if (j != i) {
                yaml.append("  - name: ").append(names[j - 1]).append("\n    address: ").append(lan.address(j)).append(":7400\n");
            }
        }
        yaml.append(extraYaml);
        Path file = dir.resolve(names[i - 1] + ".yaml");
        Files.writeString(file, yaml);
        // real-time priority, as keepalived's vrrp_rt_priority: on a loaded host a member descheduled
        // for a few periods would otherwise look dead to its peers
        Process p = d2r2In(i, List.of("chrt", "-r", "10"), "takeover", "--config", file.toString());
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    events.add(EventCodec.decode(line));
                }
            } catch (Exception e) {
                events.add(Event.message("unreadable", 0, names[i - 1], Map.of("error", e.toString())));
            }
        });
        return new Member(p, events);
    }

    /** Whether the backup (h2) has said on standard error that it runs. */
    boolean backupRunning() {
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

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeoutMs}. */
    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Stops every process started (SIGTERM, then SIGKILL after 10 s). */
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        processes.clear();
    }
}
