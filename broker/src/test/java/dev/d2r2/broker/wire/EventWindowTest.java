package dev.d2r2.broker.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventWindowTest {

    @Test
    void anEventTakenIsRefusedAgainWhileInTheWindow() {
        EventWindow w = new EventWindow();
        assertThat(w.take("alice", 1, 77)).isTrue();
        assertThat(w.take("alice", 1, 77)).isFalse();
        assertThat(w.take("alice", 1, 78)).as("another envelope with the same sequence").isTrue();
        assertThat(w.take("bob", 1, 77)).as("another publisher").isTrue();
    }

    @Test
    void remembersExactlyTheLastSizeEvents() {
        EventWindow w = new EventWindow();
        assertThat(w.take("alice", 0, 1)).isTrue();
        for (int i = 1; i < EventWindow.SIZE; i++) {
            assertThat(w.take("bob", i, 1)).isTrue();
        }
        assertThat(w.take("alice", 0, 1)).as("still among the last SIZE").isFalse();
        assertThat(w.take("bob", EventWindow.SIZE, 1)).isTrue();
        assertThat(w.take("alice", 0, 1)).as("pushed out by SIZE later events").isTrue();
    }
}
