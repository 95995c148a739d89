package dev.d2r2.diagnosis;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.DoubleRange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class JsdTest {
    @Provide
    Arbitrary<Tuple.Tuple2<double[], double[]>> pairs() {
        return Arbitraries.integers().between(1, 8).flatMap(n -> Combinators.combine(histogram(n), histogram(n)).as(Tuple::of));
    }

    private static Arbitrary<double[]> histogram(int n) {
        return Arbitraries.doubles().between(0, 100).array(double[].class).ofSize(n)
                .filter(h -> java.util.Arrays.stream(h).sum() > 0);
    }

    @Property
    void isSymmetricAndBetweenZeroAndOne(@ForAll("pairs") Tuple.Tuple2<double[], double[]> pq) {
        double pq1 = Jsd.sqrtJsd(pq.get1(), pq.get2());
        assertThat(pq1).isBetween(0.0, 1.0).isEqualTo(Jsd.sqrtJsd(pq.get2(), pq.get1()));
    }

    @Property
    void isZeroOnIdenticalDistributionsWhateverTheirMass(@ForAll("pairs") Tuple.Tuple2<double[], double[]> pq,
                                                          @ForAll @DoubleRange(min = 0.01, max = 1000) double factor) {
        double[] p = pq.get1();
        double[] scaled = p.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= factor;
        }
        assertThat(Jsd.sqrtJsd(p, p)).isZero();
        assertThat(Jsd.sqrtJsd(p, scaled)).isCloseTo(0.0, within(1e-6));
    }

    @Property
    void isOneOnDisjointSupports(@ForAll @DoubleRange(min = 0.01, max = 100) double a, @ForAll @DoubleRange(min = 0.01, max = 100) double b) {
        assertThat(Jsd.sqrtJsd(new double[]{a, 0, 0}, new double[]{0, b, b})).isCloseTo(1.0, within(1e-12));
    }

    @Property
    void obeysTheTriangleInequality(@ForAll("pairs") Tuple.Tuple2<double[], double[]> pq) {
        double[] r = new double[pq.get1().length];
        java.util.Arrays.fill(r, 1);
        double direct = Jsd.sqrtJsd(pq.get1(), pq.get2());
        assertThat(direct).isLessThanOrEqualTo(Jsd.sqrtJsd(pq.get1(), r) + Jsd.sqrtJsd(r, pq.get2()) + 1e-9);
    }

    @Property(tries = 10)
    void refusesEmptyOrMismatchedHistograms() {
        assertThatThrownBy(() -> Jsd.sqrtJsd(new double[]{0, 0}, new double[]{1, 0})).hasMessageContaining("empty");
        assertThatThrownBy(() -> Jsd.sqrtJsd(new double[]{1}, new double[]{1, 0})).hasMessageContaining("bins");
        assertThatThrownBy(() -> Jsd.sqrtJsd(new double[]{-1, 2}, new double[]{1, 0})).hasMessageContaining("count");
    }
}
