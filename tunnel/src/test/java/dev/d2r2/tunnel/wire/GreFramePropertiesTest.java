package dev.d2r2.tunnel.wire;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** The codec over arbitrary input: what is sealed opens as itself; anything altered, cut or random is dropped, never thrown. */
class GreFramePropertiesTest {
    private static final TunnelKey KEY = new TunnelKey(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    private static ByteBuffer seal(int tunnel, int seq, byte[] control) {
        ByteBuffer buf = ByteBuffer.allocateDirect(control.length + GreFrame.OVERHEAD);
        buf.put(GreFrame.HEADER_BYTES, control);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, tunnel, seq, control.length, KEY.macFor(tunnel));
        return buf;
    }

    @Property(tries = 300)
    void whatIsSealedOpensWithItsFields(@ForAll int tunnel, @ForAll int seq, @ForAll @Size(min = 1, max = 200) byte[] payload) {
        ByteBuffer frame = seal(tunnel, seq, payload);
        assertThat(GreFrame.open(frame, KEY::macFor)).isNull();
        assertThat(GreFrame.tunnelId(frame)).isEqualTo(tunnel);
        assertThat(GreFrame.sequence(frame)).isEqualTo(seq);
        assertThat(GreFrame.payloadLength(frame)).isEqualTo(payload.length);
        byte[] back = new byte[payload.length];
        frame.get(GreFrame.HEADER_BYTES, back);
        assertThat(back).isEqualTo(payload);
    }

    @Property(tries = 500)
    void anyFlippedBitIsDropped(@ForAll int tunnel, @ForAll @Size(min = 1, max = 100) byte[] payload, @ForAll("bits") int bit) {
        ByteBuffer frame = seal(tunnel, 9, payload);
        int at = bit % (frame.limit() * 8);
        frame.put(at / 8, (byte) (frame.get(at / 8) ^ 1 << at % 8));
        assertThat(GreFrame.open(frame, KEY::macFor)).isIn(Drop.MALFORMED, Drop.UNAUTHENTICATED);
    }

    @Property(tries = 300)
    void anyCutIsDropped(@ForAll @Size(min = 1, max = 100) byte[] payload, @ForAll @IntRange(min = 1, max = 200) int cut) {
        ByteBuffer frame = seal(3, 9, payload);
        frame.limit(Math.max(0, frame.limit() - cut));
        assertThat(GreFrame.open(frame, KEY::macFor)).isIn(Drop.MALFORMED, Drop.UNAUTHENTICATED);
    }

    @Property(tries = 500)
    void randomDatagramsAreDroppedWithoutThrowing(@ForAll @Size(max = 300) byte[] junk) {
        ByteBuffer frame = ByteBuffer.allocateDirect(Math.max(1, junk.length)).put(junk).flip();
        assertThat(GreFrame.open(frame, KEY::macFor)).isNotNull();
    }

    @Property(tries = 300)
    void controlMessagesSurviveTheirOwnCodecOrAreRefusedClearly(@ForAll @Size(min = 1, max = 80) byte[] body) {
        ByteBuffer buf = ByteBuffer.wrap(body);
        try {
            Control c = Control.read(buf, 0, body.length);
            ByteBuffer again = ByteBuffer.allocate(200);
            int n = Control.write(c, again, 0);
            assertThat(Control.read(again, 0, n)).isEqualTo(c);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Integer> bits() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE);
    }
}
