package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.FsyncPolicy;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Ordering;
import dev.d2r2.broker.OverflowPolicy;
import dev.d2r2.broker.Persistence;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class InProcessBrokerTest {
    @TempDir
    Path dir;
    Broker broker;
    BrokerClient admin;

    @BeforeEach
    void open() throws Exception {
        broker = Broker.open(dir, Clock.system());
        admin = broker.connectLocal(Broker.ADMIN);
    }

    @AfterEach
    void close() {
        admin.close();
        broker.close();
    }

    private void channel(String tag, ChannelClass c) {
        admin.createChannel(new ChannelSpec(tag, c, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
    }

    static Event ev(String type, long time) {
        return Event.message(type, time, "test", Map.of("n", time));
    }

    @Test
    void deliversPublishedEventsInFifoOrderWithDenseOffsets() {
        channel("c", ChannelClass.DEFAULT);
        Collector got = new Collector();
        admin.subscribe("c", StartPosition.live(), got);
        try (Publisher p = admin.publisher("c")) {
            for (int i = 0; i < 100; i++) {
                assertThat(p.publish(ev("e" + i, i))).isEqualTo(i + 1);
            }
            assertThat(p.acknowledged()).isEqualTo(100);
        }
        await().until(() -> got.events.size() == 100);
        assertThat(got.types()).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).mapToObj(i -> "e" + i).toList());
        assertThat(got.offsets()).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 100).boxed().toList());
        assertThat(got.events.getFirst().publisher()).isEqualTo("admin");
    }

    /** Identities {@code <name>0..} publish {@code count} events each ("p<k>-<i>"), all at once. */
    private void publishConcurrently(String channel, String name, int publishers, int count) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < publishers; t++) {
            BrokerClient c = broker.connectLocal(name + t);
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try (Publisher p = c.publisher(channel)) {
                    for (int i = 0; i < count; i++) {
                        p.publish(ev("p" + id + "-" + i, i));
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @Test
    void totalOrderGivesEverySubscriberTheSameSequence() throws Exception {
        channel("t", ChannelClass.DEFAULT.withOrdering(Ordering.TOTAL).withQueue(100_000, OverflowPolicy.BLOCK));
        Collector a = new Collector();
        Collector b = new Collector();
        BrokerClient sa = broker.connectLocal("sub-a");
        BrokerClient sb = broker.connectLocal("sub-b");
        sa.subscribe("t", StartPosition.live(), a);
        sb.subscribe("t", StartPosition.live(), b);
        publishConcurrently("t", "pub-", 4, 2000);
        await().until(() -> a.events.size() == 8000 && b.events.size() == 8000);
        assertThat(a.types()).isEqualTo(b.types());
        assertThat(a.offsets()).isSorted();
        for (int t = 0; t < 4; t++) {
            String prefix = "p" + t + "-";
            List<String> mine = a.types().stream().filter(s -> s.startsWith(prefix)).toList();
            assertThat(mine).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 2000).mapToObj(i -> prefix + i).toList());
        }
        sa.close();
        sb.close();
    }

    @Test
    void fifoKeepsEachPublishersOrder() throws Exception {
        channel("f", ChannelClass.DEFAULT.withQueue(100_000, OverflowPolicy.BLOCK));
        Collector got = new Collector();
        admin.subscribe("f", StartPosition.live(), got);
        publishConcurrently("f", "fifo-", 3, 3000);
        await().until(() -> got.events.size() == 9000);
        for (int t = 0; t < 3; t++) {
            String publisher = "fifo-" + t;
            List<Long> seqs = got.events.stream().filter(d -> d.publisher().equals(publisher)).map(Delivery::publisherSeq).toList();
            assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 3000).boxed().toList());
        }
    }

    /** A handler that holds the delivery thread on its first event until released. */
    static final class Gate implements DeliveryHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Collector inner;

        Gate(Collector inner) {
            this.inner = inner;
        }

        @Override
        public void onEvent(Delivery d) {
            inner.onEvent(d);
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onMissing(MissingNotice n) {
            inner.onMissing(n);
        }

        @Override
        public void onClosed(BrokerException cause) {
            inner.onClosed(cause);
        }
    }

    @Test
    void urgentChannelOvertakesABacklogOfALessUrgentOne() throws Exception {
        channel("bulk", ChannelClass.DEFAULT.withPriority(0).withQueue(1000, OverflowPolicy.BLOCK));
        channel("urgent", ChannelClass.DEFAULT.withPriority(9));
        Collector got = new Collector();
        Gate gate = new Gate(got);
        BrokerClient console = broker.connectLocal("console");
        console.subscribe("bulk", StartPosition.live(), gate);
        console.subscribe("urgent", StartPosition.live(), gate);
        try (Publisher bulk = admin.publisher("bulk"); Publisher urgent = admin.publisher("urgent")) {
            bulk.publish(ev("bulk-0", 0));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 200; i++) {
                bulk.publish(ev("bulk-" + i, i));
            }
            urgent.publish(ev("ALARM", 1000));
        }
        gate.release.countDown();
        await().until(() -> got.events.size() == 202);
        assertThat(got.types().subList(0, 3)).containsExactly("bulk-0", "ALARM", "bulk-1");
        console.close();
    }

    /**
     * Subscribes a client whose handler holds event e0, publishes e1..e{@code more} behind it
     * (so they pile up in its queue), then lets the handler go. Returns the subscriber.
     */
    private BrokerClient publishPastAHeldSubscriber(String channel, Collector got, int more) throws InterruptedException {
        Gate gate = new Gate(got);
        BrokerClient slow = broker.connectLocal("slow");
        slow.subscribe(channel, StartPosition.live(), gate);
        try (Publisher p = admin.publisher(channel)) {
            p.publish(ev("e0", 0));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= more; i++) {
                p.publish(ev("e" + i, i));
            }
        }
        gate.release.countDown();
        return slow;
    }

    @Test
    void channelsOfEqualPriorityTakeTurns() throws Exception {
        channel("left", ChannelClass.DEFAULT.withQueue(1000, OverflowPolicy.BLOCK));
        channel("right", ChannelClass.DEFAULT.withQueue(1000, OverflowPolicy.BLOCK));
        Collector got = new Collector();
        Gate gate = new Gate(got);
        BrokerClient console = broker.connectLocal("console");
        console.subscribe("left", StartPosition.live(), gate);
        console.subscribe("right", StartPosition.live(), gate);
        try (Publisher left = admin.publisher("left"); Publisher right = admin.publisher("right")) {
            left.publish(ev("L-held", 0));
            assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                left.publish(ev("L", i));
            }
            for (int i = 0; i < 100; i++) {
                right.publish(ev("R", i));
            }
        }
        gate.release.countDown();
        await().until(() -> got.events.size() == 201);
        List<String> next = got.types().subList(1, 21);
        assertThat(next).contains("L", "R");
        assertThat(next.stream().filter("R"::equals).count()).isBetween(8L, 12L);
        console.close();
    }

    @Test
    void dropOldestSendsAMissingEventNoticeBeforeTheSurvivors() throws Exception {
        channel("d", ChannelClass.DEFAULT.withQueue(4, OverflowPolicy.DROP_OLDEST));
        Collector got = new Collector();
        BrokerClient slow = publishPastAHeldSubscriber("d", got, 19);
        await().until(() -> got.events.size() == 5);
        assertThat(got.missing).hasSize(1);
        MissingNotice n = got.missing.getFirst();
        assertThat(n.count()).isEqualTo(15);
        assertThat(n.fromOffset()).isEqualTo(1);
        assertThat(n.toOffset()).isEqualTo(15);
        assertThat(got.timeline.get(1)).isEqualTo(n);
        assertThat(got.offsets()).containsExactly(0L, 16L, 17L, 18L, 19L);
        assertThat(broker.metrics().dropped("d").get()).isEqualTo(15);
        slow.close();
    }

    @Test
    void blockPolicyHoldsThePublisherUntilTheSubscriberCatchesUp() throws Exception {
        channel("b", ChannelClass.DEFAULT.withQueue(2, OverflowPolicy.BLOCK));
        Collector got = new Collector();
        Gate gate = new Gate(got);
        BrokerClient slow = broker.connectLocal("slow");
        slow.subscribe("b", StartPosition.live(), gate);
        Publisher p = admin.publisher("b");
        p.publish(ev("e0", 0));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 1; i <= 10; i++) {
                p.publish(ev("e" + i, i));
            }
        });
        await().until(() -> publisher.getState() == Thread.State.WAITING && p.acknowledged() == 3);
        gate.release.countDown();
        publisher.join(10_000);
        await().until(() -> got.events.size() == 11);
        assertThat(got.missing).isEmpty();
        assertThat(got.offsets()).isEqualTo(java.util.stream.LongStream.rangeClosed(0, 10).boxed().toList());
        slow.close();
    }

    @Test
    void disconnectPolicyEndsTheSlowSubscription() throws Exception {
        channel("x", ChannelClass.DEFAULT.withQueue(2, OverflowPolicy.DISCONNECT));
        Collector got = new Collector();
        BrokerClient slow = publishPastAHeldSubscriber("x", got, 5);
        await().until(() -> got.closed != null);
        assertThat(got.closed.code()).isEqualTo(ErrorCode.DISCONNECTED);
        await().until(() -> broker.metrics().dropped("x").get() == 1);
        slow.close();
    }

    @Test
    void persistentChannelReplaysFromOffsetAndFromTimeAcrossARestart() throws Exception {
        ManualClock clock = new ManualClock(1_000_000);
        admin.close();
        broker.close();
        broker = Broker.open(dir, clock);
        admin = broker.connectLocal(Broker.ADMIN);
        channel("log", ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.ALWAYS));
        try (Publisher p = admin.publisher("log")) {
            for (int i = 0; i < 50; i++) {
                p.publish(ev("e" + i, i));
                clock.advance(Duration.ofSeconds(1));
            }
        }
        admin.close();
        broker.close();
        broker = Broker.open(dir, clock);
        admin = broker.connectLocal(Broker.ADMIN);
        assertThat(admin.channel("log").channelClass().persistence()).isEqualTo(Persistence.LOG);

        Collector fromOffset = new Collector();
        admin.subscribe("log", StartPosition.fromOffset(45), fromOffset);
        Collector since = new Collector();
        admin.subscribe("log", StartPosition.since(1_000_000 + 40_000), since);
        try (Publisher p = admin.publisher("log")) {
            p.publish(ev("live", 99));
        }
        await().until(() -> fromOffset.events.size() == 6 && since.events.size() == 11);
        assertThat(fromOffset.types()).containsExactly("e45", "e46", "e47", "e48", "e49", "live");
        assertThat(since.types().getFirst()).isEqualTo("e40");
        assertThat(since.offsets()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void replayNeedsALog() {
        channel("mem", ChannelClass.DEFAULT);
        assertThatThrownBy(() -> admin.subscribe("mem", StartPosition.fromOffset(0), new Collector()))
                .isInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(((BrokerException) e).code()).isEqualTo(ErrorCode.NOT_PERSISTENT));
    }

    @Test
    void controlTableRefusesTheUnauthorisedAndCountsIt() {
        admin.createChannel(new ChannelSpec("acl", ChannelClass.DEFAULT, Set.of("alice"), Set.of("bob")));
        BrokerClient alice = broker.connectLocal("alice");
        BrokerClient mallory = broker.connectLocal("mallory");
        alice.publisher("acl").close();
        assertThatThrownBy(() -> mallory.publisher("acl")).isInstanceOf(BrokerException.class)
                .hasMessageContaining("mallory may not publish on channel acl");
        assertThatThrownBy(() -> alice.subscribe("acl", StartPosition.live(), new Collector()))
                .hasMessageContaining("alice may not subscribe to channel acl");
        assertThatThrownBy(() -> mallory.createChannel(new ChannelSpec("m", ChannelClass.DEFAULT, Set.of(), Set.of())))
                .hasMessageContaining("not an administrator");
        assertThatThrownBy(() -> admin.publisher("nope")).hasMessageContaining("no channel nope");
        assertThat(broker.refusals("forbidden")).isEqualTo(3);
        assertThat(broker.refusals("unknown_channel")).isEqualTo(1);
    }

    @Test
    void alteringAccessListsTakesEffectOnOpenPublishers() {
        admin.createChannel(new ChannelSpec("alt", ChannelClass.DEFAULT, Set.of("alice"), Set.of("*")));
        BrokerClient alice = broker.connectLocal("alice");
        Publisher p = alice.publisher("alt");
        p.publish(ev("ok", 1));
        admin.alterChannel(new ChannelSpec("alt", ChannelClass.DEFAULT, Set.of("bob"), Set.of("*")));
        assertThatThrownBy(() -> p.publish(ev("late", 2))).hasMessageContaining("alice may not publish");
        assertThatThrownBy(() -> admin.alterChannel(new ChannelSpec("alt",
                ChannelClass.DEFAULT.withPersistence(Persistence.LOG, FsyncPolicy.NEVER), Set.of(), Set.of())))
                .hasMessageContaining("persistence cannot be altered");
    }
}
