package dev.d2r2.bridge.kafka;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AckWindowTest {
    @Test
    void thePositionWaitsForTheFirstUnacknowledgedOffset() {
        AckWindow w = new AckWindow(4);
        int a = w.add(10);
        int b = w.add(11);
        int c = w.add(13);
        w.ack(c, 13);
        w.ack(b, 11);
        assertThat(w.advance()).as("10 is still in flight").isEqualTo(-1);
        w.ack(a, 10);
        assertThat(w.advance()).isEqualTo(14);
        assertThat(w.size()).isZero();
    }

    @Test
    void aFullWindowTakesMoreOnlyAfterItsHeadIsAcknowledged() {
        AckWindow w = new AckWindow(2);
        int a = w.add(0);
        int b = w.add(1);
        assertThat(w.full()).isTrue();
        w.ack(a, 0);
        w.ack(b, 1);
        assertThat(w.advance()).isEqualTo(2);
        assertThat(w.full()).isFalse();
        int c = w.add(2);
        assertThat(c).as("the freed slot is reused").isEqualTo(a);
        w.ack(c, 0);
        assertThat(w.advance()).as("a late answer for the slot's old offset is not the new one's").isEqualTo(-1);
        w.ack(c, 2);
        assertThat(w.advance()).isEqualTo(3);
    }

    @Test
    void clearForgetsWhatWasInFlight() {
        AckWindow w = new AckWindow(8);
        w.add(5);
        w.add(6);
        w.clear();
        assertThat(w.size()).isZero();
        assertThat(w.advance()).isEqualTo(-1);
    }
}
