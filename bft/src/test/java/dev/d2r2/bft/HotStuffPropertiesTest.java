package dev.d2r2.bft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Safety, validity and liveness of basic HotStuff over random schedules: loss, duplication and
 * reordering before GST, one Byzantine replica per tolerated fault.
 */
class HotStuffPropertiesTest {
    private static final int BASE_TIMEOUT = 60;
    private static final long LIVENESS_BOUND = 40_000;

    /** Delays are in virtual time units; a view's first timeout is {@value #BASE_TIMEOUT}. */
    record Network(double loss, double duplication, long gst, int maxDelayAfterGst) {
    }

    record Scenario(long seed, int n, Simulation.Fault fault, Network network, int commands, int batch) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Network> networks = Combinators.combine(
                Arbitraries.doubles().between(0, 0.4),
                Arbitraries.doubles().between(0, 0.2),
                Arbitraries.longs().between(0, 3_000),
                Arbitraries.integers().between(5, 150)
        ).as(Network::new);
        return Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.of(4, 4, 4, 7),
                Arbitraries.of(Simulation.Fault.class),
                networks,
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers().between(1, 8)
        ).as(Scenario::new);
    }

    /*
     * A fixed seed, so that CI does not fail on a draw; change it to explore anew.
     */
    @Property(tries = 1000, seed = "20261205")
    void correctReplicasDecideOneChainOfSubmittedCommandsAndEventuallyAllOfThem(@ForAll("scenarios") Scenario s) {
        check(s);
    }

    /**
     * A schedule (found by the property, shrunk) that never decides all its commands when a
     * replica enters the next view on its own timeout instead of waiting for n − f announcements:
     * the correct replicas drift views apart and never share a view with a correct leader again.
     */
    @Example
    void correctReplicasDoNotDriftApartByWholeViews() {
        check(new Scenario(0, 4, Simulation.Fault.SILENT, new Network(0, 0, 0, 10), 6, 1));
    }

    /**
     * A schedule (found by the property) that missed the liveness bound when every replica timed
     * its views alone: 17 of the 34 commands wait at replica 2 for its turns as leader, the
     * others, idle, kept the base timeout and moved everyone on before its proposals could be
     * decided.
     */
    @Example
    void aLeaderWithCommandsGetsViewsLongEnoughWhileTheOthersAreIdle() {
        check(new Scenario(301, 7, Simulation.Fault.SILENT, new Network(0.34, 0.15, 67, 115), 34, 1));
    }

    private static void check(Scenario s) {
        Committee committee = new Committee(s.n());
        int faulty = committee.faults();
        Network net = s.network();
        Simulation sim = new Simulation(s.seed(), s.n(), faulty, s.fault(),
                new Simulation.Conditions(net.loss(), net.duplication(), 40, net.maxDelayAfterGst(), net.gst(), BASE_TIMEOUT),
                i -> new FastSignatures(i, s.seed()), new ReplicaConfig(s.batch(), 1_000, 16));
        SplittableRandom random = new SplittableRandom(s.seed() ^ 0x5eed);
        Set<String> submitted = new HashSet<>();
        Set<String> toCorrect = new HashSet<>();
        for (int c = 0; c < s.commands(); c++) {
            String command = "cmd-" + c;
            int replica = random.nextInt(s.n());
            sim.submitAt(random.nextLong(net.gst() + 200), replica, command.getBytes(StandardCharsets.UTF_8));
            submitted.add(command);
            if (sim.isCorrect(replica)) {
                toCorrect.add(command);
            }
        }
        sim.start();

        boolean live = sim.runUntil(net.gst() + LIVENESS_BOUND, () -> allDecided(sim, toCorrect));

        assertSafety(sim);
        assertValidity(sim, submitted);
        assertSameApplications(sim);
        assertThat(live)
                .as("after GST every command submitted to a correct replica is decided by all correct replicas "
                        + "within %d time units; views %s, decided %s", LIVENESS_BOUND, views(sim), decidedCounts(sim))
                .isTrue();
    }

    /**
     * Safety: correct replicas decide the same block at every height, and each application takes
     * the blocks in height order (after a checkpoint, from the one above it).
     */
    static void assertSafety(Simulation sim) {
        assertThat(sim.outOfOrder()).as("blocks delivered out of height order").isEmpty();
        for (int i = 0; i < sim.size(); i++) {
            if (!sim.isCorrect(i)) {
                continue;
            }
            assertThat(sim.replica(i).rejections(Rejection.CONFLICTING_DECISION)).isZero();
            for (int j = i + 1; j < sim.size(); j++) {
                if (!sim.isCorrect(j)) {
                    continue;
                }
                Map<Long, BlockHash> other = sim.decided(j);
                for (Map.Entry<Long, BlockHash> e : sim.decided(i).entrySet()) {
                    if (other.containsKey(e.getKey())) {
                        assertThat(other.get(e.getKey()))
                                .as("replicas %d and %d at height %d", i, j, e.getKey())
                                .isEqualTo(e.getValue());
                    }
                }
            }
        }
    }

    /**
     * The applications of correct replicas hold the same commands in the same order, one a
     * prefix of the other: none skipped, none applied twice, whatever restarts and checkpoints
     * came between.
     */
    static void assertSameApplications(Simulation sim) {
        for (int i = 0; i < sim.size(); i++) {
            for (int j = i + 1; j < sim.size(); j++) {
                if (!sim.isCorrect(i) || !sim.isCorrect(j)) {
                    continue;
                }
                List<String> a = sim.commands(i);
                List<String> b = sim.commands(j);
                int common = Math.min(a.size(), b.size());
                assertThat(a.subList(0, common)).as("commands applied by replicas %d and %d", i, j)
                        .isEqualTo(b.subList(0, common));
            }
        }
    }

    /**
     * Validity: correct replicas apply only submitted commands (or what a Byzantine leader made
     * up, which no protocol can tell from a client's command), each at most once, though
     * forwards are repeated, duplicated and replayed.
     */
    static void assertValidity(Simulation sim, Set<String> submitted) {
        for (int i = 0; i < sim.size(); i++) {
            if (!sim.isCorrect(i)) {
                continue;
            }
            Set<String> seen = new HashSet<>();
            for (String command : sim.commands(i)) {
                if (!command.startsWith(Simulation.FORGED)) {
                    assertThat(submitted).as("replica %d decided an unsubmitted command", i).contains(command);
                }
                assertThat(seen.add(command)).as("replica %d decided %s twice", i, command).isTrue();
            }
        }
    }

    static boolean allDecided(Simulation sim, Set<String> commands) {
        for (int i = 0; i < sim.size(); i++) {
            if (!sim.isCorrect(i)) {
                continue;
            }
            if (!new HashSet<>(sim.commands(i)).containsAll(commands)) {
                return false;
            }
        }
        return true;
    }

    private static String views(Simulation sim) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sim.size(); i++) {
            sb.append(sim.replica(i).view()).append(' ');
        }
        return sb.toString().trim();
    }

    private static String decidedCounts(Simulation sim) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sim.size(); i++) {
            sb.append(sim.replica(i).decidedHeight()).append(' ');
        }
        return sb.toString().trim();
    }
}
