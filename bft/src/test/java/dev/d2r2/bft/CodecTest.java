package dev.d2r2.bft;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecTest {
    private final Codec codec = new Codec(CodecLimits.DEFAULTS);

    @Provide
    Arbitrary<Msg> messages() {
        Arbitrary<BlockHash> hashes = Arbitraries.bytes().array(byte[].class).ofSize(BlockHash.BYTES).map(BlockHash::wrap);
        Arbitrary<Long> views = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<Phase> phases = Arbitraries.of(Phase.class);
        Arbitrary<byte[]> signatures = Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
        Arbitrary<QuorumCert> qcs = Combinators.combine(views, phases, hashes,
                Arbitraries.integers().between(0, 65_535).list().ofMaxSize(7), signatures)
                .as((v, p, h, signers, sig) -> new QuorumCert(v, p, h,
                        signers.stream().mapToInt(Integer::intValue).toArray(),
                        signers.stream().map(s -> sig).toArray(byte[][]::new)));
        Arbitrary<Block> blocks = Combinators.combine(hashes, Arbitraries.longs().between(0, Long.MAX_VALUE), views,
                Arbitraries.integers(), Arbitraries.bytes().array(byte[].class).ofMaxSize(40).list().ofMaxSize(6))
                .as(Block::new);
        Arbitrary<Long> heights = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<byte[]> states = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
        Arbitrary<CheckpointCert> certs = Combinators.combine(heights, hashes, hashes,
                Arbitraries.integers().between(0, 65_535).list().ofMaxSize(7), signatures)
                .as((h, b, d, signers, sig) -> new CheckpointCert(h, b, d,
                        signers.stream().mapToInt(Integer::intValue).toArray(),
                        signers.stream().map(x -> sig).toArray(byte[][]::new)));
        return Arbitraries.oneOf(
                Combinators.combine(heights, hashes, hashes, Arbitraries.integers().between(0, 65_535), signatures)
                        .as(Msg.CheckpointVote::new),
                heights.map(Msg.CheckpointRequest::new),
                Combinators.combine(blocks, states, states, certs)
                        .as((b, applied, state, cert) -> new Msg.CheckpointResponse(new Checkpoint(b, applied, state), cert)),
                Combinators.combine(views, qcs, qcs.injectNull(0.5)).as(Msg.NewView::new),
                Combinators.combine(views, blocks, qcs).as(Msg.Prepare::new),
                Combinators.combine(views, phases, hashes, Arbitraries.integers().between(0, 65_535), signatures)
                        .as((v, p, h, voter, sig) -> new Msg.Vote(new Statement(v, p, h), voter, sig)),
                qcs.map(Msg.Certified::new),
                hashes.map(Msg.BlockRequest::new),
                blocks.map(Msg.BlockResponse::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).list().ofMaxSize(6).map(Msg.Forward::new));
    }

    @Property(tries = 500)
    void decodingAnEncodingGivesBackTheMessageAndReencodesToTheSameBytes(@ForAll("messages") Msg msg) throws Exception {
        byte[] bytes = codec.encode(msg);
        Msg decoded = codec.decode(bytes);
        assertThat(codec.encode(decoded)).isEqualTo(bytes);
        assertThat(decoded.getClass()).isEqualTo(msg.getClass());
        if (msg instanceof Msg.CheckpointResponse r) {
            assertThat(((Msg.CheckpointResponse) decoded).checkpoint().digest()).isEqualTo(r.checkpoint().digest());
            assertThat(((Msg.CheckpointResponse) decoded).cert()).isEqualTo(r.cert());
        }
        if (msg instanceof Msg.Prepare p) {
            assertThat(((Msg.Prepare) decoded).block().hash()).isEqualTo(p.block().hash());
            assertThat(((Msg.Prepare) decoded).justify()).isEqualTo(p.justify());
        }
    }

    @Property(tries = 2_000)
    void randomBytesDecodeOrFailWithMalformedMessageOnly(@ForAll @Size(max = 300) byte[] bytes) {
        decodeExpectingOnlyMalformed(bytes);
    }

    @Property(tries = 1_000)
    void corruptedEncodingsDecodeOrFailWithMalformedMessageOnly(@ForAll("messages") Msg msg,
                                                                 @ForAll int position, @ForAll byte value,
                                                                 @ForAll boolean truncate) {
        byte[] bytes = codec.encode(msg);
        int at = Math.floorMod(position, bytes.length);
        if (truncate) {
            bytes = Arrays.copyOf(bytes, at);
        } else {
            bytes[at] = value;
        }
        decodeExpectingOnlyMalformed(bytes);
    }

    private void decodeExpectingOnlyMalformed(byte[] bytes) {
        try {
            codec.decode(bytes);
        } catch (MalformedMessageException expected) {
            assertThat(expected.getMessage()).contains("at byte");
        }
    }

    @Test
    void hostileLengthsAreRefusedBeforeAllocating() {
        Block block = new Block(Block.genesis().hash(), 1, 1, 0, List.of(new byte[]{1}));
        byte[] bytes = codec.encode(new Msg.BlockResponse(block));
        int countAt = 1 + BlockHash.BYTES + 8 + 8 + 4;
        bytes[countAt] = 0x7f;
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("commands (limit 10000)");
        bytes[countAt] = 0;
        bytes[countAt + 4] = 0x7f;
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("command of");
    }

    @Test
    void trailingBytesUnknownTypesAndNegativeViewsAreMalformed() {
        byte[] request = codec.encode(new Msg.BlockRequest(Block.genesis().hash()));
        byte[] longer = Arrays.copyOf(request, request.length + 1);
        assertThatThrownBy(() -> codec.decode(longer)).hasMessageContaining("1 trailing bytes");
        assertThatThrownBy(() -> codec.decode(new byte[]{11})).hasMessageContaining("unknown message type 11");
        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessageContaining("truncated type");
        byte[] certified = codec.encode(new Msg.Certified(QuorumCert.genesis()));
        certified[1] = (byte) 0x80;
        assertThatThrownBy(() -> codec.decode(certified)).hasMessageContaining("negative view");
    }
}
