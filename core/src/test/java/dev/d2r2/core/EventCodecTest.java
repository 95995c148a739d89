package dev.d2r2.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {
    @Test
    void decodesTheSpecExample() throws Exception {
        Event e = EventCodec.decode("{\"id\":\"e17\",\"type\":\"link\",\"time\":120000,\"source\":\"ap-3\","
                + "\"from\":\"WiFi\",\"to\":\"LTE\",\"attrs\":{\"region\":\"eu\",\"n\":3,\"x\":1.5,\"up\":true}}");
        assertThat(e).isEqualTo(new Event("e17", "link", 120000, "ap-3", "WiFi", "LTE",
                Map.of("region", "eu", "n", 3L, "x", 1.5, "up", true)));
        assertThat(e.isState()).isTrue();
    }

    @Test
    void acceptsIsoInstants() throws Exception {
        assertThat(EventCodec.decode("{\"type\":\"t\",\"time\":\"1970-01-01T00:00:01.5Z\"}").time()).isEqualTo(1500);
    }

    @Test
    void roundTrips() throws Exception {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("a", "x y");
        attrs.put("b", 7L);
        attrs.put("c", false);
        Event e = new Event(null, "sip.ingress", 5, "lb-1", null, "high", attrs);
        assertThat(EventCodec.decode(EventCodec.encodeToString(e))).isEqualTo(e);
        assertThat(EventCodec.encodeToString(e)).isEqualTo(
                "{\"type\":\"sip.ingress\",\"time\":5,\"source\":\"lb-1\",\"to\":\"high\",\"attrs\":{\"a\":\"x y\",\"b\":7,\"c\":false}}");
    }

    @Test
    void rejectsBadEventsWithTheirColumn() {
        assertThatThrownBy(() -> EventCodec.decode("{\"time\":1}")).hasMessageContaining("missing field \"type\"");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\"}")).hasMessageContaining("missing field \"time\"");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\",\"time\":1,\"bogus\":2}"))
                .hasMessageStartingWith("col ").hasMessageContaining("unknown field \"bogus\"");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\",\"time\":\"yesterday\"}")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\",\"time\":1,\"attrs\":{\"k\":[1]}}"))
                .hasMessageContaining("attribute \"k\"");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\",\"time\":1} x")).isInstanceOf(EventFormatException.class);
        assertThatThrownBy(() -> EventCodec.decode("[1]")).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> EventCodec.decode("{\"type\":\"t\",\"time\":1,\"from\":\"a\"}")).hasMessageContaining("needs \"to\"");
    }

    @Property(tries = 2000)
    void arbitraryTextNeverEscapesAsAnythingButEventFormatException(@ForAll String text) {
        try {
            EventCodec.decode(text);
        } catch (EventFormatException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
