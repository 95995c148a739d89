package dev.d2r2.tunnel.node;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WindowTableTest {
    @Test
    void eachTunnelKeepsItsOwnWindowAsTheTableGrows() {
        WindowTable table = new WindowTable(1_000_000_000L);
        for (int id = 0; id < 500; id++) {
            assertThat(table.windowFor(id * 1024).accept(7, 0)).isTrue();
        }
        for (int id = 0; id < 500; id++) {
            assertThat(table.windowFor(id * 1024).accept(7, 1)).as("tunnel %d's 7 again", id * 1024).isFalse();
            assertThat(table.windowFor(id * 1024)).isSameAs(table.windowFor(id * 1024));
        }
    }
}
