package dev.d2r2.monitor;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A monitoring peer on a real in-process broker, probing real sockets. */
class MonitorTest {
    @TempDir
    Path dir;

    @Test
    void samplesAndAlarmsIncludingUnknownWhenTheTargetStopsAnswering() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        ServerSocket live = new ServerSocket(0);
        MonitorConfig config = ConfigLoader.parse("m.yaml", """
                reassert: 200ms
                resilience: {every: 100ms, window: 1m}
                services:
                  - name: up
                    probes: [{kind: tcp, target: "127.0.0.1:%d", interval: 50ms}]
                    thresholds: [{metric: tcp.connect_ms, warning: 1000, critical: 2000}]
                  - name: down
                    probes: [{kind: tcp, target: "127.0.0.1:%d", interval: 50ms}]
                    thresholds: [{metric: tcp.connect_ms, warning: 1000, critical: 2000}]
                """.formatted(live.getLocalPort(), closed), MonitorConfig.class);
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "alarms", "resilience")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            PublishingThreads publishing = new PublishingThreads(admin);
            List<Event> alarms = new CopyOnWriteArrayList<>();
            List<Event> samples = new CopyOnWriteArrayList<>();
            List<Event> assessed = new CopyOnWriteArrayList<>();
            try (Subscription a = admin.subscribe("alarms", StartPosition.live(), d -> alarms.add(event(d)));
                 Subscription m = admin.subscribe("metrics", StartPosition.live(), d -> samples.add(event(d)));
                 Subscription r = admin.subscribe("resilience", StartPosition.live(), d -> assessed.add(event(d)));
                 Monitor monitor = new Monitor(config, publishing, Clock.system()).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> transitions(alarms, "up").contains("null->ok")
                        && transitions(alarms, "down").contains("null->unknown"));
                assertThat(samples).anySatisfy(e -> {
                    assertThat(e.type()).isEqualTo("tcp.connect_ms");
                    assertThat(e.source()).isEqualTo("up");
                });
                assertThat(samples).anySatisfy(e -> assertThat(e.type()).isEqualTo("tcp.error"));
                await().atMost(Duration.ofSeconds(10)).until(() -> availability(assessed, "up") != null && availability(assessed, "down") != null);
                assertThat(availability(assessed, "up")).isEqualTo(1.0);
                assertThat(availability(assessed, "down")).isEqualTo(0.0);
                live.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> transitions(alarms, "up").contains("ok->unknown"));
                await().atMost(Duration.ofSeconds(10)).until(() -> transitions(alarms, "down").contains("unknown->unknown"));
                assertThat(transitions(alarms, "up").stream().filter(t -> !t.equals("ok->ok") && !t.equals("unknown->unknown")).toList())
                        .as("one event per transition, besides re-assertions").containsExactly("null->ok", "ok->unknown");
                assertThat(publishing.threads).as("every sample, alarm and metric is published by the agent's thread")
                        .containsExactly("d2r2-monitor-monitor");
            }
        }
    }

    private static Double availability(List<Event> assessed, String service) {
        return assessed.stream().filter(e -> e.source().equals(service) && e.type().equals("resilience.availability"))
                .map(e -> ((Number) e.attrs().get("value")).doubleValue()).reduce((a, b) -> b).orElse(null);
    }

    private static Event event(dev.d2r2.broker.Delivery d) {
        try {
            return d.event();
        } catch (dev.d2r2.core.EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> transitions(List<Event> alarms, String service) {
        return alarms.stream().filter(e -> e.source().equals(service)).map(e -> e.from() + "->" + e.to()).toList();
    }
}
