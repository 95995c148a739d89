package dev.d2r2.sip.edge;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Health from probes and from answers to requests, judged round by round on the prober's timer (500 ms rounds, 300 ms timeout). */
class ProberTest {
    private final Backend backend = new Backend(new InetSocketAddress("127.0.0.1", 5070), 1);
    private final List<BackendEvent> changes = new ArrayList<>();
    private final List<Long> sent = new ArrayList<>();
    private final EdgeCounters counters = new EdgeCounters();
    private final Prober prober = new Prober(() -> List.of(backend), Duration.ofMillis(500), Duration.ofMillis(300),
            "127.0.0.1:5060", (message, to) -> sent.add(to.probeSent), changes::add, counters);
    private long now;

    /** Runs one round: probes out at {@code now}, {@code during} what the backend does meanwhile, judged 300 ms later. */
    private void round(Runnable during) {
        prober.onTimer(now);
        during.run();
        now += 300;
        prober.onTimer(now);
        now += 200;
    }

    private void answerProbe() {
        Prober.answered(backend, Prober.BRANCH + backend.probeSent, 200);
    }

    private void answerRequest() {
        backend.lastAnswerMs = now + 100;
    }

    private static void nothing() {
    }

    @Test
    void aBackendThatAnswersRequestsButStopsAnsweringProbesStaysUpAndGoesDownOnlyWhenBothStop() {
        round(this::answerProbe);
        round(this::answerRequest);
        round(this::answerRequest);
        round(this::answerRequest);
        assertThat(backend.up()).isTrue();
        assertThat(changes).isEmpty();
        assertThat(counters.get(EdgeCounter.PROBES_UNANSWERED)).isEqualTo(3);

        round(ProberTest::nothing);
        assertThat(backend.up()).isTrue();
        round(ProberTest::nothing);
        assertThat(backend.up()).isFalse();
        assertThat(changes).extracting(BackendEvent::why)
                .containsExactly("2 probes unanswered within 300 ms, and no request answered");

        round(this::answerProbe);
        round(this::answerProbe);
        assertThat(backend.up()).isFalse();
        round(this::answerProbe);
        assertThat(backend.up()).isTrue();
    }

    @Test
    void aBackendBackInRotationIsNotTakenDownByRequestsLeftWaitingWhileItWasDown() {
        round(this::answerProbe);
        backend.awaitingSince = now;
        round(ProberTest::nothing);
        round(ProberTest::nothing);
        assertThat(backend.up()).isFalse();
        backend.awaitingSince = now;
        for (int i = 0; i < Prober.UP_AFTER; i++) {
            round(this::answerProbe);
        }
        assertThat(backend.up()).isTrue();
        round(this::answerProbe);
        round(this::answerProbe);
        assertThat(backend.up()).isTrue();
        assertThat(changes).extracting(BackendEvent::state).containsExactly("down", "up");
    }

    @Test
    void aBackendThatNeverAnsweredAProbeIsNotTakenDownByUnansweredOnesAndIsWarnedAbout() {
        for (int i = 0; i < 5; i++) {
            round(ProberTest::nothing);
        }
        assertThat(backend.up()).isTrue();
        assertThat(backend.warnedNoProbeAnswer).isTrue();
        assertThat(changes).isEmpty();
        assertThat(counters.get(EdgeCounter.PROBES_UNANSWERED)).isEqualTo(5);
    }

    @Test
    void aBackendJudgedByItsAnswersAloneComesBackOnTrialAfterPassiveDetectionTookItDown() {
        round(this::answerRequest);
        backend.awaitingSince = now;
        round(ProberTest::nothing);
        round(ProberTest::nothing);
        round(ProberTest::nothing);
        assertThat(backend.up()).isFalse();
        assertThat(changes).extracting(BackendEvent::state).containsExactly("down");
        long downAt = backend.downSinceMs;
        while (now - downAt < Prober.TRIAL_AFTER_MS - 500) {
            round(ProberTest::nothing);
        }
        assertThat(backend.up()).isFalse();
        round(ProberTest::nothing);
        round(ProberTest::nothing);
        assertThat(backend.up()).isTrue();
        assertThat(changes).extracting(BackendEvent::state).containsExactly("down", "up");
    }

    @Test
    void withProbingOffNoOptionsGoOutAndBackendsAreJudgedByTheirAnswers() {
        prober.probing(false);
        for (int i = 0; i < 5; i++) {
            round(ProberTest::nothing);
        }
        assertThat(sent).isEmpty();
        assertThat(backend.up()).isTrue();
        assertThat(backend.warnedNoProbeAnswer).isFalse();
        assertThat(counters.get(EdgeCounter.PROBES_UNANSWERED)).isZero();
    }
}
