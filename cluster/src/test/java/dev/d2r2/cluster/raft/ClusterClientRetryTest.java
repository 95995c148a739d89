package dev.d2r2.cluster.raft;

import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The submissions' retry policy: what a failover costs between the new leader's election and
 * the first acknowledged entry is mostly the client's sleeps between attempts.
 */
class ClusterClientRetryTest {
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private final RetryPolicy policy = ClusterClient.retryUntilLeader(PATIENCE);

    private static RetryPolicy.Event failure(int attempt, Throwable cause) {
        return new RetryPolicy.Event() {
            @Override
            public int getAttemptCount() {
                return attempt;
            }

            @Override
            public int getCauseCount() {
                return attempt;
            }

            @Override
            public Throwable getCause() {
                return cause;
            }
        };
    }

    @Test
    void aDeadLeaderOrAFollowerWithoutOneIsRetriedWellWithinAnElectionTimeout() {
        for (Throwable cause : new Throwable[] {new IOException(new ConnectException("Connection refused")),
                new NotLeaderException(null, null, null)}) {
            RetryPolicy.Action action = policy.handleAttemptFailure(failure(1, cause));
            assertThat(action.shouldRetry()).isTrue();
            assertThat(action.getSleepTime().toLong(TimeUnit.MILLISECONDS))
                    .isLessThanOrEqualTo(RaftSettings.ELECTION_TIMEOUT_MIN.toMillis() / 5);
        }
    }

    @Test
    void retriesLastThePatienceWhateverTheSleep() {
        long attempts = PATIENCE.toMillis() / ClusterClient.RETRY_SLEEP.toMillis();
        IOException noLeader = new IOException("no leader");
        assertThat(policy.handleAttemptFailure(failure((int) attempts - 1, noLeader)).shouldRetry()).isTrue();
        assertThat(policy.handleAttemptFailure(failure((int) attempts, noLeader)).shouldRetry()).isFalse();
    }

    @Test
    void aRefusalByTheStateMachineIsNotRetried() {
        assertThat(policy.handleAttemptFailure(failure(1, new StateMachineException("refused"))).shouldRetry()).isFalse();
    }
}
