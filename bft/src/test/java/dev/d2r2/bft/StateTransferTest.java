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
 * State transfer over random schedules: a correct replica cut off while the others decide many
 * more heights than they keep catches up from a checkpoint — certified by n − f replicas — and
 * ends with the same application state, although the Byzantine replica answers every checkpoint
 * request with forged states (one under the genuine certificate, one under a certificate of its
 * own making).
 */
class StateTransferTest {
    private static final int LAGGING = 1;
    private static final int RETAINED = 4;

    @Property(tries = 100, seed = "20261207")
    void aReplicaCutOffBeyondTheRetainedHeightsCatchesUpFromACheckpointToTheSameState(
            @ForAll @LongRange(min = 0, max = 1_000_000) long seed, @ForAll boolean equivocating,
            @ForAll boolean restartedAfterTheLag) {
        Simulation sim = cutOffThenRejoin(seed, equivocating, restartedAfterTheLag);

        assertThat(sim.replica(LAGGING).installedCheckpoints()).as("checkpoints installed").isPositive();
        HotStuffPropertiesTest.assertSafety(sim);
        HotStuffPropertiesTest.assertSameApplications(sim);
        assertThat(sim.snapshot(LAGGING)).as("the application state, as its digest covers it").isEqualTo(sim.snapshot(0));
        assertThat(sim.commands(LAGGING)).as("the forged state's command").doesNotContain(Simulation.FORGED + "3-state");
    }

    /** The property is not vacuous: the forgeries reach the cut-off replica, which counts them refused. */
    @Example
    void theForgedCheckpointsReachTheCutOffReplicaAndAreRefused() {
        long refused = 0;
        for (long seed = 0; seed < 10; seed++) {
            refused += cutOffThenRejoin(seed, seed % 2 == 0, false).replica(LAGGING).rejections(Rejection.BAD_CHECKPOINT);
        }
        assertThat(refused).isPositive();
    }

    /**
     * Replica 1 cut off from the start until the others decided 6 × {@value #RETAINED} heights,
     * then back (and restarted, if asked); runs until every command is decided everywhere and the
     * three correct replicas are at one height, and checks that they got there.
     */
    private static Simulation cutOffThenRejoin(long seed, boolean equivocating, boolean restartedAfterTheLag) {
        Simulation sim = new Simulation(seed, 4, 1, equivocating ? Simulation.Fault.EQUIVOCATE : Simulation.Fault.FORK,
                new Simulation.Conditions(0.05, 0.05, 10, 10, 500, 60), i -> new FastSignatures(i, seed),
                new ReplicaConfig(1, 1_000, RETAINED));
        Set<String> commands = new HashSet<>();
        for (int c = 0; c < 30; c++) {
            commands.add(submit(sim, c * 40L, c));
        }
        sim.isolate(LAGGING, 0, Long.MAX_VALUE);
        sim.start();
        assertThat(sim.runUntil(100_000, () -> sim.replica(0).decidedHeight() >= 6 * RETAINED
                && sim.replica(2).decidedHeight() >= 6 * RETAINED)).as("the others decide without it").isTrue();
        assertThat(sim.replica(LAGGING).decidedHeight()).isZero();
        sim.isolate(LAGGING, 0, 0);
        if (restartedAfterTheLag) {
            sim.restart(LAGGING, true, Simulation.Disk.KEPT);
        }
        for (int c = 30; c < 36; c++) {
            commands.add(submit(sim, sim.now() + (c - 29) * 40L, c));
        }
        boolean caughtUp = sim.runUntil(sim.now() + 60_000,
                () -> HotStuffPropertiesTest.allDecided(sim, commands) && sameHeight(sim));
        assertThat(caughtUp).as("the cut-off replica decides everything and reaches the others' height").isTrue();
        HotStuffPropertiesTest.assertValidity(sim, commands);
        return sim;
    }

    /** Commands go to the replicas that are not cut off, alternately. */
    private static String submit(Simulation sim, long at, int c) {
        String command = "cmd-" + c;
        sim.submitAt(at, c % 2 == 0 ? 0 : 2, command.getBytes(StandardCharsets.UTF_8));
        return command;
    }

    private static boolean sameHeight(Simulation sim) {
        return sim.applicationHeight(LAGGING) == sim.applicationHeight(0)
                && sim.applicationHeight(0) == sim.applicationHeight(2);
    }
}
