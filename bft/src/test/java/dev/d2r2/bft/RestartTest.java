package dev.d2r2.bft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A correct replica restarted in the middle of a run, with an equivocating replica in the
 * committee. Right after sending a PREPARE vote, with the network replaying the proposal it voted
 * for: given back its persisted {@link SafetyState} it votes no second time in that view
 * (HotStuff's safety rests on it). At random points, with its application's state kept, a
 * step ahead of the node's progress, or wiped, and peers that keep few heights: its application
 * never takes a decided command twice nor misses one.
 */
class RestartTest {
    private static final int RESTARTED = 1;

    @Property(tries = 200, seed = "20261207")
    void aRestartedReplicaGivenItsStateNeverVotesTwiceInOnePhaseAndView(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Simulation sim = afterAVote(seed, true);

        assertThat(sim.repeatedVotes()).as("votes sent twice by one correct replica").isEmpty();
        HotStuffPropertiesTest.assertSafety(sim);
    }

    /** Without its state the same replica votes again in the view it voted in: what the file prevents. */
    @Example
    void withoutItsStateARestartedReplicaVotesAgainInTheViewItVotedIn() {
        int seen = 0;
        for (long seed = 0; seed < 20; seed++) {
            if (!afterAVote(seed, false).repeatedVotes().isEmpty()) {
                seen++;
            }
        }
        assertThat(seen).isPositive();
    }

    /** A restart plan: when (virtual time) and with what on disk, and how many heights peers keep. */
    record Plan(long seed, List<Long> at, List<Simulation.Disk> disks, int retainedHeights) {
    }

    @Provide
    Arbitrary<Plan> plans() {
        return Arbitraries.longs().between(0, 1_000_000).flatMap(seed -> Arbitraries.integers().between(1, 3)
                .flatMap(restarts -> Combinators.combine(
                        Arbitraries.longs().between(1, 2_500).list().ofSize(restarts),
                        Arbitraries.of(Simulation.Disk.class).list().ofSize(restarts),
                        Arbitraries.of(4, 1_000)
                ).as((at, disks, retained) -> new Plan(seed, at.stream().sorted().toList(), disks, retained))));
    }

    @Property(tries = 150, seed = "20261207")
    void restartsAtAnyPointNeitherApplyADecidedCommandTwiceNorSkipOne(@ForAll("plans") Plan plan) {
        Run run = run(plan);

        HotStuffPropertiesTest.assertSafety(run.sim());
        HotStuffPropertiesTest.assertValidity(run.sim(), run.commands());
        HotStuffPropertiesTest.assertSameApplications(run.sim());
        assertThat(run.live()).as("every command decided by every correct replica, the restarted one included").isTrue();
    }

    /**
     * The property is not vacuous: a replica wiped late, whose peers keep 4 heights, takes a
     * checkpoint rather than the chain (the property's plans mix both cases).
     */
    @Example
    void aWipedReplicaWhosePeersForgotTheEarlyBlocksTakesACheckpoint() {
        int installed = 0;
        for (long seed = 0; seed < 10; seed++) {
            Run run = run(new Plan(seed, List.of(2_400L), List.of(Simulation.Disk.WIPED), 4));
            assertThat(run.live()).isTrue();
            HotStuffPropertiesTest.assertSameApplications(run.sim());
            installed += run.sim().replica(RESTARTED).installedCheckpoints() > 0 ? 1 : 0;
        }
        assertThat(installed).isPositive();
    }

    private record Run(Simulation sim, Set<String> commands, boolean live) {
    }

    private static Run run(Plan plan) {
        Simulation sim = new Simulation(plan.seed(), 4, 1, Simulation.Fault.EQUIVOCATE,
                new Simulation.Conditions(0.05, 0.05, 10, 10, 500, 60), i -> new FastSignatures(i, plan.seed()),
                new ReplicaConfig(2, 1_000, plan.retainedHeights()));
        Set<String> commands = submitToTheOthers(sim, 40);
        sim.start();
        for (int k = 0; k < plan.at().size(); k++) {
            sim.runUntil(plan.at().get(k), () -> false);
            sim.restart(RESTARTED, true, plan.disks().get(k));
        }
        return new Run(sim, commands, sim.runUntil(80_000, () -> HotStuffPropertiesTest.allDecided(sim, commands)));
    }

    /** The commands submitted to the replicas that are not restarted: a restart loses what was submitted and undecided. */
    private static Set<String> submitToTheOthers(Simulation sim, int count) {
        Set<String> commands = new HashSet<>();
        for (int c = 0; c < count; c++) {
            String command = "cmd-" + c;
            commands.add(command);
            sim.submitAt(c * 40L, c % 2 == 0 ? 0 : 2, command.getBytes(StandardCharsets.UTF_8));
        }
        return commands;
    }

    private static Simulation afterAVote(long seed, boolean restore) {
        Simulation sim = new Simulation(seed, 4, 1, Simulation.Fault.EQUIVOCATE,
                new Simulation.Conditions(0.05, 0.05, 10, 10, 500, 60), i -> new FastSignatures(i, seed),
                new ReplicaConfig(2, 1_000, 1_000));
        Set<String> commands = submitToTheOthers(sim, 20);
        sim.start();
        long voteView = 3 + seed % 5;
        assertThat(sim.runUntil(20_000, () -> sim.lastVoteSent(RESTARTED, Phase.PREPARE) >= voteView)).isTrue();
        sim.restart(RESTARTED, restore, Simulation.Disk.WIPED);

        boolean live = sim.runUntil(60_000, () -> HotStuffPropertiesTest.allDecided(sim, commands));
        HotStuffPropertiesTest.assertValidity(sim, commands);
        assertThat(live).as("every command decided by every correct replica, the restarted one included").isTrue();
        return sim;
    }
}
