package dev.d2r2.diagnosis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WindowsTest {
    private final Windows windows = new Windows(List.of("os.a", "os.b"), 1000);

    @Test
    void averagesEachMetricPerPeerAndLeavesOutIncompleteVectors() {
        windows.add("s1", "os.a", 100, 2);
        windows.add("s1", "os.a", 900, 4);
        windows.add("s1", "os.b", 500, 10);
        windows.add("s2", "os.a", 500, 1);
        windows.add("s1", "os.a", 1500, 7);
        assertThat(windows.close(999)).isEmpty();
        List<Windows.Window> closed = windows.close(1000);
        assertThat(closed).hasSize(1);
        assertThat(closed.getFirst().end()).isEqualTo(1000);
        assertThat(closed.getFirst().vectors()).containsOnlyKeys("s1");
        assertThat(closed.getFirst().vectors().get("s1")).containsExactly(3.0, 10.0);
    }

    @Test
    void theNextEndIsThatOfTheEarliestWindowWithSamples() {
        assertThat(windows.nextEnd(5500)).isEqualTo(6000);
        windows.add("s1", "os.a", 2100, 1);
        assertThat(windows.nextEnd(5500)).isEqualTo(3000);
    }

    @Test
    void closesEmptyWindowsTooAndRefusesLateSamples() {
        windows.add("s1", "os.a", 100, 1);
        windows.add("s1", "os.b", 100, 1);
        List<Windows.Window> closed = windows.close(3000);
        assertThat(closed).extracting(Windows.Window::end).containsExactly(1000L, 2000L, 3000L);
        assertThat(closed.get(1).vectors()).isEmpty();
        assertThat(windows.add("s1", "os.a", 2999, 1)).isFalse();
        assertThat(windows.add("s1", "os.a", 3000, 1)).isTrue();
        assertThat(windows.nextEnd(3000)).isEqualTo(4000);
        assertThat(windows.wants("os.c")).isFalse();
    }
}
