package dev.d2r2.tunnel.path;

import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelKey;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Path frames: what is sealed opens; any flipped bit, cut, other tunnel or random datagram is dropped, never thrown. */
class PathFramePropertiesTest {
    private static final TunnelKey KEY = new TunnelKey(new byte[32]);
    private static final PacketMac MAC = KEY.macFor(7);

    @Property(tries = 300)
    void aSealedProbeOpensAndAnyFlippedBitIsDropped(@ForAll @IntRange(min = 0, max = 3) int path, @ForAll @IntRange(min = 0) int seq,
                                                    @ForAll @IntRange(min = 0, max = 8 * 34 - 1) int bit) {
        ByteBuffer buf = ByteBuffer.allocate(64);
        PathFrame.sealProbe(buf, PathFrame.PROBE, path, seq, 7, 1, MAC);
        assertThat(PathFrame.open(buf, 7, MAC, 4)).isNull();
        assertThat(PathFrame.probeSeq(buf)).isEqualTo(seq);
        assertThat(PathFrame.path(buf)).isEqualTo(path);
        assertThat(PathFrame.open(buf, 8, KEY.macFor(8), 4)).as("another tunnel").isEqualTo(Drop.UNKNOWN_TUNNEL);
        buf.put(bit / 8, (byte) (buf.get(bit / 8) ^ (1 << (bit % 8))));
        assertThat(PathFrame.open(buf, 7, MAC, 4)).isNotNull();
    }

    @Property(tries = 300)
    void dataRoundTripsAndCutsAreDropped(@ForAll @Size(max = 300) List<Byte> payload, @ForAll @IntRange(min = 1, max = 20) int cut) {
        ByteBuffer buf = ByteBuffer.allocate(512);
        for (int i = 0; i < payload.size(); i++) {
            buf.put(PathFrame.BODY_AT + i, payload.get(i));
        }
        PathFrame.sealData(buf, 1, payload.size(), 7, 9, MAC);
        assertThat(PathFrame.open(buf, 7, MAC, 2)).isNull();
        assertThat(PathFrame.dataLength(buf)).isEqualTo(payload.size());
        assertThat(PathFrame.open(buf, 7, MAC, 1)).as("path index beyond the configured paths").isEqualTo(Drop.MALFORMED);
        buf.limit(buf.limit() - cut);
        assertThat(PathFrame.open(buf, 7, MAC, 2)).isNotNull();
    }

    @Property(tries = 300)
    void randomDatagramsAreDropped(@ForAll @Size(max = 100) byte[] junk) {
        assertThat(PathFrame.open(ByteBuffer.wrap(junk), 7, MAC, 2)).isNotNull();
    }
}
