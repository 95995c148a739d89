package dev.d2r2.diagnosis;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.server.Broker;
import dev.d2r2.core.Clock;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.ManualClock;
import dev.d2r2.diagnosis.events.DistanceMatrix;
import dev.d2r2.diagnosis.events.PeerCleared;
import dev.d2r2.diagnosis.events.PeerIndicted;
import dev.d2r2.monitor.events.Sample;
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

/** The role on a real in-process broker, windows driven by a manual clock: a culprit indicted and cleared, nobody on fault-free data. */
class DiagnosisRoleTest {
    private static final long T0 = 1_795_000_000_000L;
    private static final int PEERS = 5;
    @TempDir
    Path dir;

    private static Event event(Delivery d) {
        try {
            return d.event();
        } catch (EventFormatException e) {
            throw new AssertionError(e);
        }
    }

    /** Publishes the samples window by window, moving the clock past each window's end and waiting for its vote. */
    private static void play(List<Sample> samples, int windows, ManualClock clock, Publisher metrics, DiagnosisRole role) {
        long done = role.stats().windows();
        long taken = role.stats().samples() + role.stats().late();
        int i = 0;
        for (int w = 0; w < windows; w++) {
            long end = (w + 1) * Synthetic.WINDOW_MS;
            while (i < samples.size() && samples.get(i).time() < end) {
                Sample s = samples.get(i++);
                metrics.publish(new Sample(s.metric(), T0 + s.time(), s.service(), s.value(), "mon-a").toEvent());
            }
            long sent = taken + i;
            soon().until(() -> role.stats().samples() + role.stats().late() >= sent);
            clock.advance(Duration.ofMillis(T0 + end + 1_000 - clock.millis()));
            role.wake();
            long want = done + w + 1;
            soon().until(() -> role.stats().windows() >= want);
        }
    }

    /** Polls often: a run waits for each of its windows. */
    private static org.awaitility.core.ConditionFactory soon() {
        return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    @Test
    void aCulpritIsIndictedWithinThreeWindowsAndClearedAfterItRecoversAndNobodyElseEver() throws Exception {
        Synthetic training = new Synthetic(PEERS, 11, 0.03);
        Profiles profiles = Trainer.train(training.samples(60, -1, 0), Synthetic.request(3)).profiles();
        ManualClock clock = new ManualClock(T0);
        List<String> group = List.of("s1", "s2", "s3", "s4", "s5");
        DiagnosisConfig config = new DiagnosisConfig("profiles.json", null, null, null, Map.of("sip", group), null, Duration.ofSeconds(1));
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "diagnosis")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> out = new CopyOnWriteArrayList<>();
            try (Subscription sub = admin.subscribe("diagnosis", StartPosition.live(), d -> out.add(event(d)));
                 Publisher metrics = admin.publisher("metrics");
                 DiagnosisRole role = new DiagnosisRole(admin, config, profiles, clock)) {
                int faultFrom = 20;
                int faultTo = 30;
                List<Sample> live = new Synthetic(PEERS, 12, 0.03).samples(50, faultFrom, faultTo, 300);
                metrics.publish(Event.message("os.cpu_user_pct", T0, "s2", Map.of("value", "lots")));
                play(live, 50, clock, metrics, role);
                await().atMost(Duration.ofSeconds(10)).until(() -> out.stream().filter(e -> e.type().equals(DistanceMatrix.TYPE)).count() >= 47);

                List<Event> verdicts = out.stream().filter(e -> !e.type().equals(DistanceMatrix.TYPE)
                        && !e.type().equals("diagnosis.cannot-vote")).toList();
                assertThat(verdicts).extracting(Event::type, Event::source).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(PeerIndicted.TYPE, "s1"), org.assertj.core.groups.Tuple.tuple(PeerCleared.TYPE, "s1"));
                PeerIndicted indicted = PeerIndicted.from(verdicts.get(0));
                long windowsToIndict = (indicted.time() - T0) / Synthetic.WINDOW_MS - faultFrom;
                assertThat(windowsToIndict).as("windows from the fault's first to the indictment's").isBetween(1L, 3L);
                assertThat(indicted.group()).isEqualTo("sip");
                assertThat(indicted.metric()).isEqualTo("os.cpu_user_pct");
                assertThat(indicted.votes()).isEqualTo(4);
                assertThat(PeerCleared.from(verdicts.get(1)).time()).isGreaterThan(T0 + faultTo * Synthetic.WINDOW_MS);
                DistanceMatrix m = DistanceMatrix.from(out.stream().filter(e -> e.type().equals(DistanceMatrix.TYPE)).toList().get(25));
                assertThat(m.peers()).isEqualTo(group);
                assertThat(m.distances()[0][1]).isGreaterThan(profiles.threshold());
                assertThat(m.distances()[1][2]).isLessThan(profiles.threshold());
                assertThat(List.of(m.histograms())).as("one histogram per voter, over the profiles and \"like no profile\"")
                        .hasSize(group.size())
                        .allSatisfy(h -> assertThat(java.util.Arrays.stream(h).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3)))
                        .allSatisfy(h -> assertThat(h).hasSize(profiles.bins()));
                assertThat(Jsd.sqrtJsd(m.histograms()[0], m.histograms()[1])).as("the distance comes from the histograms shown")
                        .isCloseTo(m.distances()[0][1], org.assertj.core.data.Offset.offset(2e-3));
                assertThat(role.runner().errors().count(DiagnosisRole.MALFORMED)).isEqualTo(1);
            }
        }
    }

    @Test
    void aFaultFreeRunIndictsNobodyAndTooFewPeersSayTheyCannotVote() throws Exception {
        Profiles profiles = Trainer.train(new Synthetic(PEERS, 21, 0.03).samples(60, -1, 0), Synthetic.request(3)).profiles();
        ManualClock clock = new ManualClock(T0);
        DiagnosisConfig config = new DiagnosisConfig("profiles.json", null, null, null, null, null, null);
        try (Broker broker = Broker.open(dir.resolve("broker"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "diagnosis")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            List<Event> out = new CopyOnWriteArrayList<>();
            try (Subscription sub = admin.subscribe("diagnosis", StartPosition.live(), d -> out.add(event(d)));
                 Publisher metrics = admin.publisher("metrics");
                 DiagnosisRole role = new DiagnosisRole(admin, config, profiles, clock)) {
                play(new Synthetic(2, 22, 0.03).samples(5, -1, 0), 5, clock, metrics, role);
                await().atMost(Duration.ofSeconds(10)).until(() -> out.size() >= 5);
                assertThat(out).extracting(Event::type).containsOnly("diagnosis.cannot-vote");
                assertThat(out.getFirst().attrs().get("reason").toString()).contains("at least 3");
            }
        }
        try (Broker broker = Broker.open(dir.resolve("broker2"), Clock.system())) {
            BrokerClient admin = broker.connectLocal(Broker.ADMIN);
            for (String tag : List.of("metrics", "diagnosis")) {
                admin.createChannel(new ChannelSpec(tag, ChannelClass.DEFAULT, Set.of(ChannelSpec.ANYONE), Set.of(ChannelSpec.ANYONE)));
            }
            ManualClock clock2 = new ManualClock(T0);
            try (Publisher metrics = admin.publisher("metrics");
                 DiagnosisRole role = new DiagnosisRole(admin, config, profiles, clock2)) {
                play(new Synthetic(PEERS, 23, 0.03).samples(60, -1, 0), 60, clock2, metrics, role);
                assertThat(role.stats().indictments()).isZero();
                assertThat(role.stats().windows()).isEqualTo(60);
                assertThat(role.stats().late()).isZero();
            }
        }
    }
}
