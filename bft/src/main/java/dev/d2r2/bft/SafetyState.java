package dev.d2r2.bft;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a replica must not forget across a restart (paper §4.4: safety rests on each correct
 * replica voting at most once per phase and view, and never against its lock): the newest view
 * it voted in for each phase, and its locked certificate. The driver makes it durable before a
 * vote leaves ({@link Outbox#persist}) and gives it back to the new replica
 * ({@link Replica#restore}).
 *
 * @param lastVoted by {@link Phase} ordinal, the newest view voted in (0 for none)
 */
public record SafetyState(long[] lastVoted, QuorumCert locked) {
    public SafetyState {
        Objects.requireNonNull(locked, "locked");
        if (lastVoted.length != Phase.values().length) {
            throw new IllegalArgumentException(lastVoted.length + " phases, not " + Phase.values().length);
        }
        lastVoted = lastVoted.clone();
    }

    @Override
    public long[] lastVoted() {
        return lastVoted.clone();
    }

    /** The newest view this replica voted in. */
    public long view() {
        return Arrays.stream(lastVoted).max().orElse(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetyState s && Arrays.equals(lastVoted, s.lastVoted) && locked.equals(s.locked);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lastVoted) + locked.hashCode();
    }
}
