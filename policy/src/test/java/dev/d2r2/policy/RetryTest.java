package dev.d2r2.policy;

import dev.d2r2.policy.events.PolicyEvents;
import dev.d2r2.policy.events.ActionOutcome;
import dev.d2r2.core.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.d2r2.policy.Fixtures.T0;
import static dev.d2r2.policy.Fixtures.flood;
import static org.assertj.core.api.Assertions.assertThat;

/** Failed deploys are retried with exponential back-off, reported, and given up after the attempts. */
class RetryTest {
    private static final String BLOCK = "edge/block/192.0.2.1";

    private static Policy policy(int attempts) {
        return Fixtures.blockFlooders("5m", "{ kind: log, retry-attempts: %d, retry-backoff: 1s }".formatted(attempts), "{}");
    }

    private static List<Event> outcomes(Harness h) {
        return h.events.stream().filter(e -> e.type().equals(PolicyEvents.OUTCOME.name())).toList();
    }

    @Test
    void aFailedDeployIsRetriedAfterOneThenTwoSecondsUntilItSucceeds() {
        Harness h = new Harness(policy(5));
        h.calls.answering(c -> new Dispatcher.Result(c, c.attempt() < 3 ? ActionOutcome.Result.FAILED : ActionOutcome.Result.OK, c.attempt() < 3 ? "timeout" : null));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "e"));
        h.advance(Duration.ofMillis(999));
        assertThat(h.calls.calls).hasSize(1);
        h.advance(Duration.ofMillis(1));
        assertThat(h.calls.calls).hasSize(2);
        h.advance(Duration.ofMillis(1999));
        assertThat(h.calls.calls).hasSize(2);
        h.advance(Duration.ofMillis(1));
        assertThat(h.calls.calls).extracting(Dispatcher.Call::attempt).containsExactly(1, 2, 3);
        assertThat(outcomes(h)).extracting(e -> e.attrs().get("outcome") + "@" + e.attrs().get("retry-at"))
                .containsExactly("failed@" + (T0 + 1000), "failed@" + (T0 + 3000), "ok@null");
        assertThat(h.engine.actions()).containsKey(BLOCK);
        assertThat(h.engine.stats().retries).isEqualTo(2);
    }

    @Test
    void afterTheLastAttemptTheActionIsGivenUpAndNeverRevoked() {
        Harness h = new Harness(policy(3));
        h.calls.answering(c -> new Dispatcher.Result(c, ActionOutcome.Result.FAILED, "connection refused"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "e"));
        h.advance(Duration.ofMinutes(20));
        assertThat(h.calls.log()).containsExactly("deploy " + BLOCK, "deploy " + BLOCK, "deploy " + BLOCK);
        assertThat(outcomes(h).getLast().attrs()).containsEntry("outcome", "failed").doesNotContainKey("retry-at");
        assertThat(h.engine.actions()).isEmpty();
        assertThat(h.decisions()).containsExactly("deploy " + BLOCK);
    }

    @Test
    void anActionTheActuatorRefusesIsNotRetried() {
        Harness h = new Harness(policy(5));
        h.calls.answering(c -> new Dispatcher.Result(c, ActionOutcome.Result.REFUSED, "no such edge"));
        h.engine.accept(flood("a1", T0, "192.0.2.1", "e"));
        h.advance(Duration.ofMinutes(1));
        assertThat(h.calls.calls).hasSize(1);
        assertThat(h.engine.actions()).isEmpty();
    }
}
