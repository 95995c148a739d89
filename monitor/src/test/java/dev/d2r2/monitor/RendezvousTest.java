package dev.d2r2.monitor;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousTest {
    @Test
    void whenAPeerLeavesOnlyItsServicesMoveAndTheyMoveEvenly() {
        List<String> three = List.of("p1", "p2", "p3");
        List<String> two = List.of("p1", "p3");
        Map<String, Integer> load = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            String s = "service-" + i;
            String before = Rendezvous.owner(s, three);
            String after = Rendezvous.owner(s, two);
            load.merge(before, 1, Integer::sum);
            if (!before.equals("p2")) {
                assertThat(after).as(s).isEqualTo(before);
            } else {
                moved++;
                load.merge("to-" + after, 1, Integer::sum);
            }
        }
        assertThat(load.get("p1")).isBetween(850, 1150);
        assertThat(load.get("p2")).isBetween(850, 1150);
        assertThat(load.get("to-p1")).isBetween((int) (moved * 0.4), (int) (moved * 0.6));
    }
}
