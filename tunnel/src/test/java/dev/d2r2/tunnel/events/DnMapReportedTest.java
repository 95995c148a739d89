package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The map event round-trips through the wire codec; its address parser takes dotted quads only, and never throws. */
class DnMapReportedTest {
    @Test
    void aMapEventRoundTripsThroughTheCodec() throws Exception {
        DnMapReported m = new DnMapReported(1000, "dn2", 1_765_000_000_000_001L, DnMapReported.ATTACH, "moved", "10.77.1.2",
                List.of("10.77.1.2", "10.77.1.7"));
        assertThat(DnMapReported.from(EventCodec.decode(EventCodec.encodeToString(m.toEvent())))).isEqualTo(m);
        DnMapReported start = new DnMapReported(1000, "dn2", 7, DnMapReported.START, DnMapReported.START, DnMapReported.NONE, List.of());
        assertThat(DnMapReported.from(start.toEvent())).as("carrying nothing").isEqualTo(start);
    }

    @Property
    void everyAddressReadsBackFromItsDottedQuad(@ForAll int address) {
        String text = (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
        assertThat(DnMapReported.ipv4(text)).isEqualTo(Integer.toUnsignedLong(address));
    }

    @Property
    void anyOtherTextIsRefusedWithoutAnException(@ForAll String text) {
        long value = DnMapReported.ipv4(text);
        if (value >= 0) {
            assertThat(text).matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
        }
    }

    @Test
    void shorthandLeadingZerosAndNamesAreRefused() {
        for (String bad : List.of("10.1", "010.0.0.1", "10.0.0.1 ", "+10.0.0.1", "10.0.0.256", "localhost", "", "10..0.1", "1.2.3.4.5",
                "٣.1.1.1")) {
            assertThat(DnMapReported.ipv4(bad)).as(bad).isEqualTo(-1);
        }
    }

    @Test
    void aMissingSourceIsMalformed() {
        Event e = new DnMapReported(1, "dn1", 1, DnMapReported.START, DnMapReported.START, DnMapReported.NONE, List.of()).toEvent();
        Event anonymous = new Event(null, e.type(), e.time(), "", null, null, e.attrs());
        assertThatThrownBy(() -> DnMapReported.from(anonymous)).hasMessageContaining("source");
    }
}
