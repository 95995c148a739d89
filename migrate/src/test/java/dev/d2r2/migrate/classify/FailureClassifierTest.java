package dev.d2r2.migrate.classify;

import dev.d2r2.migrate.classify.FailureClassifier.Failure;
import dev.d2r2.migrate.classify.FailureClassifier.Location;
import dev.d2r2.migrate.classify.FailureClassifier.Thresholds;
import dev.d2r2.migrate.classify.FailureClassifier.Verdict;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {
    /** One thing a probe or a monitor said about the host. */
    sealed interface Seen permits Answered, Lost, HostCheck, NetworkCheck, Warning {
        void feed(FailureClassifier c);
    }

    record Answered(double rttMs) implements Seen {
        public void feed(FailureClassifier c) {
            c.answered(rttMs);
        }
    }

    record Lost() implements Seen {
        public void feed(FailureClassifier c) {
            c.lost();
        }
    }

    record HostCheck(boolean answered) implements Seen {
        public void feed(FailureClassifier c) {
            c.host(answered);
        }
    }

    record NetworkCheck(boolean answered) implements Seen {
        public void feed(FailureClassifier c) {
            c.network(answered);
        }
    }

    record Warning(String name, boolean up) implements Seen {
        public void feed(FailureClassifier c) {
            c.warning(name, up);
        }
    }

    record Case(Thresholds thresholds, List<Seen> seen) {
        Optional<Verdict> verdict() {
            FailureClassifier c = new FailureClassifier(thresholds);
            seen.forEach(s -> s.feed(c));
            return c.verdict();
        }

        boolean warned() {
            List<String> up = new ArrayList<>();
            for (Seen s : seen) {
                if (s instanceof Warning(String name, boolean isUp)) {
                    up.remove(name);
                    if (isUp) {
                        up.add(name);
                    }
                }
            }
            return !up.isEmpty();
        }

        /** The last check of that kind failed. */
        boolean lastFailed(Class<? extends Seen> kind) {
            for (Seen s : seen.reversed()) {
                if (s instanceof HostCheck(boolean ok) && kind == HostCheck.class) {
                    return !ok;
                }
                if (s instanceof NetworkCheck(boolean ok) && kind == NetworkCheck.class) {
                    return !ok;
                }
            }
            return false;
        }

        int lostInARow() {
            int n = 0;
            for (Seen s : seen.reversed()) {
                if (s instanceof Lost) {
                    n++;
                } else if (s instanceof Answered) {
                    return n;
                }
            }
            return n;
        }
    }

    @Provide
    Arbitrary<Thresholds> thresholds() {
        return Arbitraries.integers().between(1, 10).flatMap(w -> Combinators.combine(Arbitraries.integers().between(1, w),
                Arbitraries.integers().between(1, w), Arbitraries.integers().between(1, w), Arbitraries.longs().between(1, 500))
                .as((crash, omission, late, deadline) -> new Thresholds(w, crash, omission, late, deadline, w)));
    }

    private static Arbitrary<Seen> anything() {
        return Arbitraries.<Seen>oneOf(Arbitraries.doubles().between(0, 1000).map(Answered::new), Arbitraries.just(new Lost()),
                Arbitraries.of(true, false).map(HostCheck::new), Arbitraries.of(true, false).map(NetworkCheck::new),
                Combinators.combine(Arbitraries.of("disk", "temperature"), Arbitraries.of(true, false)).as(Warning::new));
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(thresholds(), anything().list().ofMaxSize(40)).as(Case::new);
    }

    @Provide
    Arbitrary<Case> healthy() {
        return thresholds().flatMap(t -> Arbitraries.<Seen>oneOf(Arbitraries.doubles().between(0, t.deadlineMs()).map(Answered::new),
                Arbitraries.just(new HostCheck(true)), Arbitraries.just(new NetworkCheck(true)),
                Arbitraries.of("disk").map(n -> new Warning(n, false))).list().ofMaxSize(40).map(seen -> new Case(t, seen)));
    }

    @Property(tries = 500)
    void aHealthyHostIsNeverAtRisk(@ForAll("healthy") Case c) {
        assertThat(c.verdict()).isEmpty();
    }

    @Property(tries = 2000)
    void aCrashIsTheLastProbesLostInARowUnlessAWarningPredictsIt(@ForAll("cases") Case c) {
        boolean crash = c.verdict().map(v -> v.failure() == Failure.crash).orElse(false);
        if (!c.warned()) {
            assertThat(crash).isEqualTo(c.lostInARow() >= c.thresholds().crashAfter());
        } else if (c.lostInARow() >= c.thresholds().crashAfter()) {
            assertThat(crash).isTrue();
        }
    }

    @Property(tries = 2000)
    void theLocationFollowsTheLastChecksAndTheWarnings(@ForAll("cases") Case c) {
        c.verdict().ifPresent(v -> {
            Location expected = c.lastFailed(NetworkCheck.class) ? Location.network
                    : c.lastFailed(HostCheck.class) || c.warned() ? Location.host : Location.vm;
            assertThat(v.location()).isEqualTo(expected);
        });
    }

    @Property(tries = 2000)
    void predictableWhenWarnedOrTheServiceStillAnswers(@ForAll("cases") Case c) {
        c.verdict().ifPresent(v -> assertThat(v.predictable()).isEqualTo(c.warned() || v.failure() != Failure.crash));
    }

    @Property(tries = 2000)
    void aWarningAloneIsAPredictedHostCrash(@ForAll("cases") Case c) {
        if (c.warned()) {
            assertThat(c.verdict()).hasValueSatisfying(v -> {
                assertThat(v.location()).isNotEqualTo(Location.vm);
                assertThat(v.predictable()).isTrue();
            });
        }
    }

    @Property(tries = 1000)
    void onlyTheLastWindowOfProbesCounts(@ForAll("cases") Case older, @ForAll("cases") Case recent) {
        Thresholds t = recent.thresholds();
        List<Seen> probes = recent.seen().stream().filter(s -> s instanceof Answered || s instanceof Lost).toList();
        List<Seen> lastWindow = probes.subList(Math.max(0, probes.size() - t.window()), probes.size());
        List<Seen> withHistory = new ArrayList<>(older.seen().stream().filter(s -> s instanceof Answered || s instanceof Lost).toList());
        withHistory.addAll(probes);
        if (probes.size() >= t.window()) {
            assertThat(new Case(t, withHistory).verdict()).isEqualTo(new Case(t, lastWindow).verdict());
        }
    }

    @Example
    void byzantineRanksAfterACrashAndBeforeAnOmissionAndThePeerPlacesIt() {
        FailureClassifier c = new FailureClassifier(new Thresholds(4, 3, 2, 3, 200, 2));
        c.judged(null);
        c.judged("the binding registered is missing");
        assertThat(c.verdict()).as("one wrong answer of two is not enough").isEmpty();
        c.judged("CSeq 9 REGISTER answers no REGISTER sent");
        c.lost();
        c.lost();
        assertThat(c.verdict()).contains(new Verdict(Failure.byzantine, Location.vm, true,
                "2 of the last 3 answers judged wrong (last: CSeq 9 REGISTER answers no REGISTER sent)"));
        c.peerJudged(true);
        assertThat(c.verdict()).map(Verdict::location).contains(Location.host);
        c.peerJudged(false);
        assertThat(c.verdict()).as("wrong on the peer too: the server's own fault").map(Verdict::location).contains(Location.vm);
        c.lost();
        assertThat(c.verdict()).map(Verdict::failure).contains(Failure.crash);
        for (int i = 0; i < 4; i++) {
            c.answered(5);
            c.judged(null);
        }
        assertThat(c.verdict()).as("only the last window of verdicts counts").isEmpty();
    }

    @Example
    void examplesOfTheTable() {
        Thresholds t = new Thresholds(10, 3, 2, 3, 200, 2);
        FailureClassifier c = new FailureClassifier(t);
        c.answered(5);
        assertThat(c.verdict()).isEmpty();
        c.warning("disk.reallocated", true);
        assertThat(c.verdict()).contains(new Verdict(Failure.crash, Location.host, true,
                "the service is healthy; warnings disk.reallocated"));
        c.warning("disk.reallocated", false);
        c.answered(450);
        c.answered(300);
        c.answered(250);
        assertThat(c.verdict()).map(Verdict::failure).contains(Failure.timing);
        c.lost();
        c.lost();
        assertThat(c.verdict()).map(Verdict::failure).contains(Failure.omission);
        c.lost();
        c.network(false);
        assertThat(c.verdict()).contains(new Verdict(Failure.crash, Location.network, false,
                "3 probes lost in a row; its network check failed"));
        c.network(true);
        assertThat(c.verdict()).map(Verdict::location).contains(Location.vm);
    }
}
