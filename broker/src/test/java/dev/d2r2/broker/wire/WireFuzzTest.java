package dev.d2r2.broker.wire;

import dev.d2r2.broker.Protection;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Envelopes meet arbitrary bytes with a ProtocolException, nothing else; frames are read whole (see WireCodecTest for their decoder). */
class WireFuzzTest {

    @Property(tries = 3000)
    void envelopesParseOrFailCleanly(@ForAll("mutatedEnvelopes") byte[] bytes) {
        try {
            Envelope e = Envelope.parse(bytes);
            assertThat(e.sealStart()).isBetween(0, bytes.length - 2);
            assertThat(e.seal().length).isEqualTo(bytes.length - e.sealStart() - 2);
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedEnvelopes() {
        byte[] valid = Envelope.build("c", Protection.SI, "pub", 7, 1000, new byte[0],
                "{\"type\":\"x\",\"time\":1}".getBytes(StandardCharsets.UTF_8), Envelope.Sealer.NONE).bytes();
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, valid.length - 1).list().ofMaxSize(4).map(ix -> {
            byte[] copy = valid.clone();
            ix.forEach(i -> copy[i] ^= (byte) (i * 31 + 1));
            return copy;
        });
        Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, valid.length).map(n -> java.util.Arrays.copyOf(valid, n));
        return Arbitraries.oneOf(flipped, truncated, Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
    }

    @Property(tries = 200)
    void anUnsealedEnvelopeWrittenStraightToAStreamIsTheOneBuilt(@ForAll long seq, @ForAll long time, @ForAll byte[] payload,
                                                               @ForAll @net.jqwik.api.constraints.StringLength(max = 40) String publisher)
            throws Exception {
        byte[] name = publisher.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Envelope.writeUnsealed(new java.io.DataOutputStream(bytes), name, seq, time, payload);
        byte[] built = Envelope.build("chan", Protection.SI, publisher, seq, time, new byte[0], payload, Envelope.Sealer.NONE).bytes();
        assertThat(bytes.toByteArray()).isEqualTo(built).hasSize(Envelope.unsealedLength(name, payload.length));
    }

    @Property(tries = 200)
    void framesReadIntoAReusedArrayAreTheFramesWritten(@ForAll java.util.List<@net.jqwik.api.constraints.Size(min = 1, max = 100) byte[]> bodies)
            throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        for (byte[] b : bodies) {
            out.writeInt(b.length);
            out.write(b);
        }
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        byte[] reuse = new byte[50];
        for (byte[] b : bodies) {
            java.nio.ByteBuffer f = Frames.read(in, 1000, reuse);
            assertThat(java.util.Arrays.copyOfRange(f.array(), f.position(), f.limit())).isEqualTo(b);
            assertThat(f.array() == reuse).as("a frame that fits is read into the reused array").isEqualTo(b.length <= reuse.length);
        }
        assertThat(Frames.read(in, 1000, reuse)).as("a clean end of stream").isNull();
    }

    @Property(tries = 200)
    void sealedEnvelopesRoundTrip(@ForAll long seq, @ForAll byte[] payload) throws Exception {
        Envelope built = Envelope.build("chan", Protection.SI, "me", seq, 42, new byte[0], payload, Envelope.Sealer.NONE);
        Envelope parsed = Envelope.parse(built.bytes());
        assertThat(parsed.sequence()).isEqualTo(seq);
        assertThat(parsed.publisher()).isEqualTo("me");
        assertThat(parsed.payload()).isEqualTo(payload);
    }
}
