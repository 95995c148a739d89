package dev.d2r2.core;

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

    @Test
    void weightedScoresGiveEachMemberItsShareOfCapacityAndMoveOnlyTheLeaversKeys() {
        long a = Rendezvous.hash("a");
        long b = Rendezvous.hash("b");
        long c = Rendezvous.hash("c");
        Map<String, Integer> load = new HashMap<>();
        int stayed = 0;
        int ofC = 0;
        for (int i = 0; i < 40_000; i++) {
            long k = Rendezvous.hash("call-" + i);
            double sa = Rendezvous.score(k, a, 1);
            double sb = Rendezvous.score(k, b, 2);
            double sc = Rendezvous.score(k, c, 1);
            String owner = sa >= sb && sa >= sc ? "a" : sb >= sc ? "b" : "c";
            load.merge(owner, 1, Integer::sum);
            if (!owner.equals("c")) {
                String without = sa >= sb ? "a" : "b";
                stayed += without.equals(owner) ? 1 : 0;
            } else {
                ofC++;
            }
        }
        assertThat(load.get("b")).isBetween(19_000, 21_000);
        assertThat(load.get("a")).isBetween(9_300, 10_700);
        assertThat(stayed).isEqualTo(40_000 - ofC);
    }
}
