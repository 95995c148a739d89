package dev.d2r2.app;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.broker.server.BrokerServer;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three {@code d2r2 monitor} processes share six services; one is killed with {@code kill -9}:
 * its services move to the others within three heartbeats, and no alarm transition is repeated
 * or lost.
 */
class MonitorPeersTest {
    private static final int SERVICES = 6;
    private static final long HEARTBEAT_MS = 300;
    private static final long INTERVAL_MS = 100;
    @TempDir
    Path dir;

    @Test
    void aKilledPeersServicesMoveToTheOthers() throws Exception {
        List<ServerSocket> targets = new ArrayList<>();
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < SERVICES; i++) {
            ServerSocket s = new ServerSocket(0);
            targets.add(s);
            services.append("""
                      - name: svc%d
                        probes: [{kind: tcp, target: "127.0.0.1:%d", interval: %dms, timeout: 100ms}]
                        thresholds: [{metric: tcp.connect_ms, warning: 1000}]
                    """.formatted(i, s.getLocalPort(), INTERVAL_MS));
        }
        Path config = Files.writeString(dir.resolve("monitor.yaml"),
                "peers: {heartbeat: %dms}\nservices:\n%s".formatted(HEARTBEAT_MS, services));
        List<Process> peers = new ArrayList<>();
        try (Broker broker = Broker.open(dir.resolve("data"), Clock.system());
             BrokerServer server = BrokerServer.start(broker, new InetSocketAddress("127.0.0.1", 0))) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "alarms", "monitor-peers")) {
                ChannelClass c = tag.equals("alarms") ? ChannelClass.DEFAULT.withPersistence(dev.d2r2.broker.Persistence.LOG,
                        dev.d2r2.broker.FsyncPolicy.NEVER) : ChannelClass.DEFAULT;
                admin.createChannel(new ChannelSpec(tag, c, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> samples = new CopyOnWriteArrayList<>();
            List<Event> alarms = new CopyOnWriteArrayList<>();
            try (Subscription m = admin.subscribe("metrics", StartPosition.live(), d -> samples.add(event(d)));
                 Subscription a = admin.subscribe("alarms", StartPosition.live(), d -> alarms.add(event(d)))) {
                for (String name : List.of("p1", "p2", "p3")) {
                    peers.add(new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                            "monitor", "--config", config.toString(), "--identity", broker.adminIdentityPath().toString(),
                            "--peer", name).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start());
                }
                // Settled: all three peers probe, each service by exactly one of them.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    List<Event> recent = since(samples, System.currentTimeMillis() - 3 * HEARTBEAT_MS);
                    return byService(recent).values().stream().allMatch(owners -> owners.size() == 1)
                            && byService(recent).size() == SERVICES && peersOf(recent).size() == 3;
                });
                String victim = byService(since(samples, System.currentTimeMillis() - 3 * HEARTBEAT_MS)).get("svc0").iterator().next();
                Set<String> victimServices = byService(since(samples, System.currentTimeMillis() - 3 * HEARTBEAT_MS)).entrySet().stream()
                        .filter(e -> e.getValue().contains(victim)).map(java.util.Map.Entry::getKey).collect(Collectors.toSet());
                Process dead = peers.get(Integer.parseInt(victim.substring(1)) - 1);
                long killedAt = System.currentTimeMillis();
                dead.destroyForcibly().waitFor();
                targets.getFirst().close();

                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                        victimServices.stream().allMatch(s -> samples.stream().anyMatch(e ->
                                e.source().equals(s) && e.time() > killedAt && !victim.equals(e.attrs().get("peer")))));
                for (String s : victimServices) {
                    long firstByNewOwner = samples.stream().filter(e -> e.source().equals(s) && e.time() > killedAt
                            && !victim.equals(e.attrs().get("peer"))).mapToLong(Event::time).min().orElseThrow();
                    assertThat(firstByNewOwner - killedAt).as("%s moved (and was probed at once) within three heartbeats", s)
                            .isLessThanOrEqualTo(3 * HEARTBEAT_MS);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> transitions(alarms, "svc0").contains("ok->unknown"));
                assertThat(transitions(alarms, "svc0")).as("svc0's one real transition, published once").containsExactly("null->ok", "ok->unknown");
                for (int i = 1; i < SERVICES; i++) {
                    assertThat(transitions(alarms, "svc" + i)).as("svc%d: no repeated transition after the move", i).containsExactly("null->ok");
                }
            }
        } finally {
            peers.forEach(Process::destroyForcibly);
            for (ServerSocket s : targets) {
                s.close();
            }
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Event> since(List<Event> samples, long from) {
        return samples.stream().filter(e -> e.time() >= from && e.type().equals("tcp.connect_ms")).toList();
    }

    private static java.util.Map<String, Set<String>> byService(List<Event> samples) {
        return samples.stream().collect(Collectors.groupingBy(Event::source,
                Collectors.mapping(e -> (String) e.attrs().get("peer"), Collectors.toSet())));
    }

    private static Set<Object> peersOf(List<Event> samples) {
        return samples.stream().map(e -> e.attrs().get("peer")).collect(Collectors.toSet());
    }

    private static List<String> transitions(List<Event> alarms, String service) {
        return alarms.stream().filter(e -> e.source().equals(service) && !e.attrs().containsKey("reasserted"))
                .map(e -> e.from() + "->" + e.to()).toList();
    }
}
