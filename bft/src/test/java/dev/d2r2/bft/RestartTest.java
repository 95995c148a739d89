package dev.d2r2.bft;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A correct replica restarted in the middle of a run, right after sending a PREPARE vote, with an
 * equivocating replica in the committee and the network replaying the proposal it voted for:
 * given back its persisted {@link SafetyState} it votes no second time in that view (HotStuff's
 * safety rests on it), and the chain stays one.
 */
class RestartTest {
    private static final int RESTARTED = 1;

    @Property(tries = 200, seed = "20261207")
    void aRestartedReplicaGivenItsStateNeverVotesTwiceInOnePhaseAndView(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Simulation sim = run(seed, true);

        assertThat(sim.repeatedVotes()).as("votes sent twice by one correct replica").isEmpty();
        HotStuffPropertiesTest.assertSafety(sim);
    }

    /** Without its state the same replica votes again in the view it voted in: what the file prevents. */
    @Example
    void withoutItsStateARestartedReplicaVotesAgainInTheViewItVotedIn() {
        int seen = 0;
        for (long seed = 0; seed < 20; seed++) {
            if (!run(seed, false).repeatedVotes().isEmpty()) {
                seen++;
            }
        }
        assertThat(seen).isPositive();
    }

    private static Simulation run(long seed, boolean restore) {
        Simulation sim = new Simulation(seed, 4, 1, Simulation.Fault.EQUIVOCATE,
                new Simulation.Conditions(0.05, 0.05, 10, 10, 500, 60), i -> new FastSignatures(i, seed),
                new ReplicaConfig(2, 1_000, 1_000));
        Set<String> commands = new HashSet<>();
        for (int c = 0; c < 20; c++) {
            String command = "cmd-" + c;
            commands.add(command);
            // to the replicas that are not restarted: a restart loses what was submitted and undecided
            sim.submitAt(c * 40L, c % 2 == 0 ? 0 : 2, command.getBytes(StandardCharsets.UTF_8));
        }
        sim.start();
        long voteView = 3 + seed % 5;
        assertThat(sim.runUntil(20_000, () -> sim.lastVoteSent(RESTARTED, Phase.PREPARE) >= voteView)).isTrue();
        sim.restart(RESTARTED, restore);

        boolean live = sim.runUntil(60_000, () -> HotStuffPropertiesTest.allDecided(sim, commands));
        HotStuffPropertiesTest.assertValidity(sim, commands);
        assertThat(live).as("every command decided by every correct replica, the restarted one included").isTrue();
        return sim;
    }
}
