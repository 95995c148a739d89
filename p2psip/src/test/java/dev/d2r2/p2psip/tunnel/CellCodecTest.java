package dev.d2r2.p2psip.tunnel;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CellCodecTest {
    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.bytes().array(byte[].class).ofSize(Cell.BODY_BYTES);
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return Arbitraries.bytes().array(byte[].class).ofSize(Cell.BYTES);
    }

    @Property(tries = 300)
    void everyCellEncodesToOneSizeAndDecodesToItself(@ForAll CellType type, @ForAll int linkId, @ForAll("bodies") byte[] body)
            throws MalformedCell {
        Cell cell = new Cell(type, linkId, body);
        byte[] frame = cell.encode();
        assertThat(frame).hasSize(Cell.BYTES);
        assertThat(Cell.decode(frame)).isEqualTo(cell);
    }

    @Property(tries = 1000)
    void anyFrameIsACellOrRefusedAsMalformed(@ForAll("frames") byte[] frame) {
        try {
            Cell cell = Cell.decode(frame);
            assertThat(cell.encode()).isEqualTo(frame);
        } catch (MalformedCell e) {
            assertThat(e.reason()).isEqualTo(Refusal.MALFORMED);
            int code = frame[0] & 0xff;
            assertThat(code < 1 || code > CellType.values().length).isTrue();
        }
    }

    @Property(tries = 200)
    void aFrameOfAnyOtherLengthIsRefused(@ForAll byte[] frame) {
        if (frame.length == Cell.BYTES) {
            return;
        }
        assertThatThrownBy(() -> Cell.decode(frame)).isInstanceOfSatisfying(MalformedCell.class,
                e -> assertThat(e.reason()).isEqualTo(Refusal.MALFORMED));
    }

    @Property(tries = 300)
    void anyPayloadBodyDecodesOrIsRefused(@ForAll("bodies") byte[] body) {
        try {
            Payload p = DataCell.plain(body);
            assertThat(p.data().length).isLessThanOrEqualTo(Payload.MAX_DATA_BYTES);
        } catch (MalformedCell e) {
            assertThat(e.reason()).isEqualTo(Refusal.MALFORMED);
        }
    }
}
