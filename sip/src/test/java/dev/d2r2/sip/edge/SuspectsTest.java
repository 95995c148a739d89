package dev.d2r2.sip.edge;

import dev.d2r2.core.Event;
import dev.d2r2.sip.events.SipEvents;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Sources turning suspect and back, window by window (100 ms windows, 30 INVITEs/s). */
class SuspectsTest {
    private static InetAddress at(int i) throws Exception {
        return InetAddress.getByAddress(new byte[]{127, 1, (byte) (i >> 8), (byte) i});
    }

    @Test
    void aSourceIsHighOnceFastOverTwoWindowsAndNormalAfterAQuietSecond() throws Exception {
        List<Event> out = new ArrayList<>();
        Suspects s = new Suspects(30, 1000, "edge");
        InetAddress bot = at(1);
        InetAddress caller = at(2);
        s.window(Map.of(bot, 4L, caller, 4L), 0.1, 0, out::add);
        assertThat(out).as("two windows are not seen yet: 4 in 200 ms is 20/s").isEmpty();
        s.window(Map.of(bot, 4L, caller, 1L), 0.1, 100, out::add);
        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(SipEvents.SOURCE_RATE.name());
            assertThat(e.to()).isEqualTo("high");
            assertThat(e.attrs()).containsEntry("src", "127.1.0.1");
        });
        s.window(Map.of(bot, 2L), 0.1, 200, out::add);
        s.window(Map.of(), 0.1, 300, out::add);
        s.window(Map.of(), 0.1, 400, out::add);
        s.window(Map.of(), 0.1, 1200, out::add);
        assertThat(out).as("quiet (under 15/s over two windows) since 300 ms only").hasSize(1);
        s.window(Map.of(), 0.1, 1300, out::add);
        assertThat(out).hasSize(2).last().satisfies(e -> {
            assertThat(e.from()).isEqualTo("high");
            assertThat(e.to()).isEqualTo("normal");
        });
        assertThat(s.size()).isZero();
    }

    @Test
    void atMostMaxSourcesAreFollowed() throws Exception {
        List<Event> out = new ArrayList<>();
        Suspects s = new Suspects(30, 1000, "edge");
        Map<InetAddress, Long> flood = new HashMap<>();
        for (int i = 0; i < Suspects.MAX + 10; i++) {
            flood.put(at(i), 5L);
        }
        s.window(flood, 0.1, 0, out::add);
        s.window(flood, 0.1, 100, out::add);
        assertThat(s.size()).isEqualTo(Suspects.MAX);
        assertThat(out).hasSize(Suspects.MAX);
        assertThat(s.ignored()).isEqualTo(10);
    }
}
