package dev.d2r2.diagnosis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HoldTest {
    @Test
    void aHeldRateIsHeldAtItsLargestOverTheLastWindowsAndTheOthersAreNot() {
        Hold hold = new Hold(new boolean[] {false, true}, 2);
        assertThat(hold.apply(new double[] {5, 0})).containsExactly(5, 0);
        assertThat(hold.apply(new double[] {6, 3})).containsExactly(6, 3);
        assertThat(hold.apply(new double[] {0, 0})).as("held one window").containsExactly(0, 3);
        assertThat(hold.apply(new double[] {7, 1})).containsExactly(7, 1);
        assertThat(hold.apply(new double[] {7, 0})).containsExactly(7, 1);
        assertThat(hold.apply(new double[] {7, 0})).as("gone after two windows").containsExactly(7, 0);
    }

    @Test
    void theCallersVectorIsNotChanged() {
        Hold hold = new Hold(new boolean[] {true}, 3);
        hold.apply(new double[] {4});
        double[] now = {0};
        assertThat(hold.apply(now)).containsExactly(4);
        assertThat(now).containsExactly(0);
    }
}
