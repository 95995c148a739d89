package dev.d2r2.chronicle;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.chronicle.events.ChronicleAlert;
import dev.d2r2.chronicle.events.ChronicleEvents;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The chronicle role on a real in-process broker: alarms in, alerts out, windows closed by the clock. */
class ChronicleRoleTest {
    @TempDir
    Path dir;

    @Test
    void publishesAnAlertWhenALinkStaysDownAndNotWhenItComesBack() throws Exception {
        String text = """
                chronicle LinkStaysDown {
                  event(link[source=?s]:(?, down), t1)
                  noevent(link[source=?s]:(down, up), (t1, t2))
                  t2 - t1 in [300ms, 300ms]
                  when recognized { emit LinkDown[source=?s, since=t1] }
                }
                """;
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alarms", "alerts")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Delivery> alerts = new CopyOnWriteArrayList<>();
            List<Recognition> seen = new CopyOnWriteArrayList<>();
            List<Thread> recognizedOn = new CopyOnWriteArrayList<>();
            try (Subscription sub = admin.subscribe("alerts", StartPosition.live(), alerts::add);
                 ChronicleRole role = new ChronicleRole(admin, ChronicleCompiler.compile("l.chr", text).chronicles(),
                         new Recognizer.Options(50, 3_600_000), List.of("alarms"), "alerts", Clock.system(), r -> {
                             recognizedOn.add(Thread.currentThread());
                             seen.add(r);
                         });
                 Publisher alarms = admin.publisher("alarms")) {
                alarms.publish("{\"type\": 12".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(10)).until(() -> role.malformed() == 1);
                long now = System.currentTimeMillis();
                alarms.publish(Event.state("link", now, "ap-1", "up", "down", Map.of()));
                alarms.publish(Event.state("link", now, "ap-2", "up", "down", Map.of()));
                alarms.publish(Event.state("link", now + 100, "ap-2", "down", "up", Map.of()));
                await().atMost(Duration.ofSeconds(10)).until(() -> !alerts.isEmpty());
                Event alert = alerts.getFirst().event();
                assertThat(alert.type()).isEqualTo("LinkDown");
                assertThat(alert.source()).isEqualTo("ap-1");
                assertThat(alert.attrs()).containsEntry("since", now).containsEntry(ChronicleEvents.CHRONICLE, "LinkStaysDown")
                        .containsEntry(ChronicleEvents.UNCERTAIN, false);
                await().atMost(Duration.ofSeconds(10)).until(() -> role.stats().events() >= 3);
                assertThat(seen).extracting(r -> r.bindings().get("s")).containsExactly("ap-1");
                assertThat(recognizedOn).containsOnly(role.owningThread());
                ChronicleAlert decoded = ChronicleAlert.from(alert);
                assertThat(decoded.chronicle()).isEqualTo("LinkStaysDown");
                assertThat(decoded.events()).hasSize(1);
            }
        }
    }

    /** A stalled role overflows its drop-oldest subscription: the broker's Missing-Event notice makes later overlapping recognitions uncertain. */
    @Test
    void eventsDroppedByTheBrokerMakeOverlappingRecognitionsUncertain() throws Exception {
        String text = "chronicle Pair { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [0, 1h] }";
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            admin.createChannel(new ChannelSpec("alarms", ChannelClass.DEFAULT.withQueue(4, dev.d2r2.broker.OverflowPolicy.DROP_OLDEST),
                    Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            admin.createChannel(new ChannelSpec("alerts", ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            List<Recognition> seen = new CopyOnWriteArrayList<>();
            try (ChronicleRole role = new ChronicleRole(admin, ChronicleCompiler.compile("p.chr", text).chronicles(),
                    new Recognizer.Options(3_600_000, 3_600_000), List.of("alarms"), "alerts", Clock.system(), r -> {
                        seen.add(r);
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, 2);
                 Publisher alarms = admin.publisher("alarms")) {
                long t = System.currentTimeMillis();
                alarms.publish(Event.message("A", t, null, Map.of("k", "first")));
                alarms.publish(Event.message("A", t, null, Map.of("k", "second")));
                alarms.publish(Event.message("B", t + 1, null, Map.of("k", "first")));
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
                // The role is stalled in its listener: its buffer (2) and its queue (4) fill, then the broker drops.
                for (int i = 0; i < 50; i++) {
                    alarms.publish(Event.message("N", System.currentTimeMillis(), null, Map.of("k", "noise")));
                }
                alarms.publish(Event.message("B", System.currentTimeMillis() + 1, null, Map.of("k", "second")));
                release.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> role.stats().missingNotices() > 0 && seen.size() == 2);
                assertThat(seen.getFirst().uncertain()).isFalse();
                assertThat(seen.get(1).bindings()).containsEntry("x", "second");
                assertThat(seen.get(1).uncertain()).isTrue();
            }
        }
    }

    /** An event that comes more than the lateness behind the stream cannot join a recognition: it is dropped, counted and logged. */
    @Test
    void anEventDelayedMoreThanTheLatenessIsDroppedAndCounted() throws Exception {
        String text = "chronicle Pair { event(A[k=?x], t1) event(B[k=?x], t2) t2 - t1 in [-1h, 1h] }";
        try (Broker broker = Broker.open(dir, Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("alarms", "alerts")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Recognition> seen = new CopyOnWriteArrayList<>();
            try (ChronicleRole role = new ChronicleRole(admin, ChronicleCompiler.compile("p.chr", text).chronicles(),
                    new Recognizer.Options(500, 3_600_000), List.of("alarms"), "alerts", Clock.system(), seen::add);
                 Publisher alarms = admin.publisher("alarms")) {
                long now = System.currentTimeMillis();
                alarms.publish(Event.message("B", now, null, Map.of("k", "late")));
                alarms.publish(Event.message("A", now - 10_000, null, Map.of("k", "late")));
                alarms.publish(Event.message("B", now, null, Map.of("k", "in-time")));
                alarms.publish(Event.message("A", now - 100, null, Map.of("k", "in-time")));
                await().atMost(Duration.ofSeconds(10)).until(() -> role.stats().events() == 4);
                assertThat(role.late()).isEqualTo(1);
                assertThat(role.stats().late()).isEqualTo(1);
                assertThat(seen).extracting(r -> r.bindings().get("x")).containsExactly("in-time");
            }
        }
    }
}
