package dev.d2r2.broker.wire;

import dev.d2r2.broker.ChannelClass;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Protection;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one codec: every frame type and every control message decodes to what was encoded; cut
 * short, lengthened or replaced by garbage, a frame fails as a ProtocolException and nothing else.
 */
class WireCodecTest {

    @Property(tries = 2000)
    void everyFrameDecodesToWhatWasEncoded(@ForAll("frames") WireFrame frame) throws Exception {
        ByteBuffer f = Frames.read(new DataInputStream(new ByteArrayInputStream(frame.bytes())));
        assertThat(WireFrame.decode(f)).usingRecursiveComparison().isEqualTo(frame);
    }

    @Property(tries = 500)
    void aFrameCutShortOrLengthenedIsAProtocolError(@ForAll("frames") WireFrame frame, @ForAll byte extra) {
        byte[] body = Arrays.copyOfRange(frame.bytes(), 4, frame.bytes().length);
        for (int n = 0; n < body.length; n++) {
            ByteBuffer cut = ByteBuffer.wrap(body, 0, n);
            assertThatThrownBy(() -> WireFrame.decode(cut)).as("cut to %d of %d bytes", n, body.length)
                    .isInstanceOf(ProtocolException.class);
        }
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        longer[body.length] = extra;
        assertThatThrownBy(() -> WireFrame.decode(ByteBuffer.wrap(longer))).isInstanceOf(ProtocolException.class);
    }

    @Property(tries = 3000)
    void garbageDecodesOrFailsAsAProtocolError(@ForAll byte[] bytes) {
        try {
            WireFrame.decode(ByteBuffer.wrap(bytes));
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 500)
    void everyControlRequestDecodesToWhatWasEncoded(@ForAll("requests") ControlRequest request) throws Exception {
        assertThat(ControlCodec.decodeRequest(request.op(), ControlCodec.encode(request)))
                .usingRecursiveComparison().isEqualTo(request);
    }

    @Property(tries = 500)
    void everyControlReplyDecodesToWhatWasEncoded(@ForAll("replies") ControlReply reply) throws Exception {
        assertThat(ControlCodec.decodeReply(ControlCodec.encode(reply), reply.getClass()))
                .usingRecursiveComparison().isEqualTo(reply);
    }

    @Property(tries = 500)
    void aControlBodyCutShortIsAProtocolErrorAndBadJsonABadRequest(@ForAll("requests") ControlRequest request,
                                                                   @ForAll byte[] garbage) {
        byte[] body = ControlCodec.encode(request);
        for (int n = 0; n < body.length; n++) {
            byte[] cut = Arrays.copyOf(body, n);
            assertThatThrownBy(() -> ControlCodec.decodeRequest(request.op(), cut))
                    .isInstanceOfAny(ProtocolException.class, IllegalArgumentException.class);
        }
        try {
            ControlCodec.decodeRequest(request.op(), garbage);
        } catch (ProtocolException | IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank().doesNotContain("com.fasterxml");
        }
    }

    @Property(tries = 200)
    void opsTravelAsTheirCodes(@ForAll Op op) throws Exception {
        assertThat(Op.of(op.code())).isEqualTo(op);
        assertThatThrownBy(() -> Op.of(200)).isInstanceOf(ProtocolException.class);
    }

    @Provide
    Arbitrary<WireFrame> frames() {
        Arbitrary<Integer> ints = Arbitraries.integers();
        Arbitrary<Long> longs = Arbitraries.longs();
        Arbitrary<Integer> codes = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<String> strings = text();
        return Arbitraries.oneOf(
                strings.map(WireFrame.Hello::new),
                bytes.map(WireFrame.Auth::new),
                Combinators.combine(ints, Arbitraries.of(Op.class), bytes).as(WireFrame.Request::new),
                Combinators.combine(ints, envelopes()).as(WireFrame.Publish::new),
                bytes.map(WireFrame.Challenge::new),
                Combinators.combine(ints, codes, bytes).as(WireFrame.Response::new),
                Combinators.combine(ints, longs).as(WireFrame.Ack::new),
                Combinators.combine(ints, longs, codes, strings).as(WireFrame.Refused::new),
                Combinators.combine(ints, longs, longs, envelopes()).as(WireFrame.Deliver::new),
                Combinators.combine(ints, longs, longs, longs, longs, longs).as(WireFrame.Missing::new),
                Combinators.combine(ints, longs, longs, strings, longs,
                        Arbitraries.bytes().array(byte[].class).ofSize(Frames.DIGEST_BYTES)).as(WireFrame.Digest::new),
                Combinators.combine(ints, codes, strings).as(WireFrame.Ended::new),
                Combinators.combine(codes, strings).as(WireFrame.Error::new));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.strings().alpha().numeric().withChars(" -_:é€✓").ofMaxLength(40);
    }

    private static Arbitrary<byte[]> envelopes() {
        return Combinators.combine(Arbitraries.of(Protection.class), Arbitraries.longs(), Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64), text()).as((p, seq, time, payload, who) -> {
            byte[] nonce = p == Protection.PKE ? new byte[12] : new byte[0];
            Envelope.Sealer sealer = p == Protection.SI ? Envelope.Sealer.NONE : new Envelope.Sealer() {
                public int sealLength() {
                    return p == Protection.HA ? 32 : 64;
                }

                public byte[] seal(byte[] channelPrefix, byte[] buf, int off, int len) {
                    byte[] s = new byte[sealLength()];
                    Arrays.fill(s, (byte) len);
                    return s;
                }
            };
            return Envelope.build("chan", p, who, seq, time, nonce, payload, sealer).bytes();
        });
    }

    @Provide
    Arbitrary<ControlRequest> requests() {
        Arbitrary<String> tags = Arbitraries.strings().alpha().numeric().withChars("._-").ofMinLength(1).ofMaxLength(20);
        Arbitrary<Integer> ids = Arbitraries.integers().greaterOrEqual(0);
        Arbitrary<Long> longs = Arbitraries.longs();
        return Arbitraries.oneOf(
                Combinators.combine(tags, Arbitraries.bytes().array(byte[].class).ofMaxSize(44).injectNull(0.3),
                        Arbitraries.of(true, false)).as(ControlRequest.Register::new),
                channels().map(ControlRequest.CreateChannel::new),
                channels().map(ControlRequest.AlterChannel::new),
                Arbitraries.just(new ControlRequest.ListChannels()),
                tags.map(ControlRequest.ShowChannel::new),
                tags.map(ControlRequest.OpenPublisher::new),
                Arbitraries.integers().map(ControlRequest.ClosePublisher::new),
                Combinators.combine(tags, ids, longs, Arbitraries.integers().between(0, 2), Arbitraries.of(true, false).injectNull(0.5))
                        .as((t, id, at, kind, digests) -> new ControlRequest.Subscribe(t, id, kind == 1 ? at : null,
                                kind == 2 ? at : null, digests)),
                Combinators.combine(ids, Arbitraries.of(true, false), Arbitraries.longs().greaterOrEqual(0).injectNull(0.5))
                        .as((id, digests, from) -> new ControlRequest.Copies(id, digests, digests ? null : from)),
                Arbitraries.integers().map(ControlRequest.Unsubscribe::new),
                tags.map(ControlRequest.ReadLogSpan::new),
                tags.map(ControlRequest.DeleteChannel::new),
                tags.map(ControlRequest.RevokeIdentity::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(ControlRequest.SignedControl::new));
    }

    @Provide
    Arbitrary<ControlReply> replies() {
        Arbitrary<byte[]> keys = Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
        return Arbitraries.oneOf(
                Combinators.combine(text(), Arbitraries.of(true, false)).as(ControlReply.Welcome::new),
                keys.map(ControlReply.Registered::new),
                Arbitraries.just(new ControlReply.Done()),
                text().map(ControlReply.Applied::new),
                channels().list().ofMaxSize(3).map(ControlReply.ChannelList::new),
                channels().map(ControlReply.ChannelShown::new),
                Combinators.combine(Arbitraries.integers(), Arbitraries.of(Protection.class), keys)
                        .as(ControlReply.PublisherOpened::new),
                Combinators.combine(Arbitraries.integers(), keys, Arbitraries.longs().greaterOrEqual(0).injectNull(0.5))
                        .as(ControlReply.Subscribed::new),
                spans().injectNull(0.3).map(ControlReply.LogSpanRead::new));
    }

    private static Arbitrary<LogSpan> spans() {
        Arbitrary<Long> offsets = Arbitraries.longs().between(0, Long.MAX_VALUE / 2);
        Arbitrary<Long> lengths = Arbitraries.longs().between(1, 1L << 40);
        Arbitrary<Long> times = Arbitraries.longs().between(0, 1L << 50);
        return Combinators.combine(offsets, lengths, times, lengths).as((first, n, at, during) -> new LogSpan(first, first + n, at, at + during));
    }

    private static Arbitrary<ChannelConfig> channels() {
        Arbitrary<Set<String>> names = Arbitraries.of("*", "monitor", "policy", "edge").set().ofMaxSize(3);
        return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), names, names)
                .as((tag, pubs, subs) -> ChannelConfig.of(new ChannelSpec(tag, ChannelClass.DEFAULT, pubs, subs)));
    }
}
