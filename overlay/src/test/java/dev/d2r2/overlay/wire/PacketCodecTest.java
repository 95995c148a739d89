package dev.d2r2.overlay.wire;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.Message;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every message survives encoding; anything else — random bytes, truncations, flipped bits,
 * another network's key, old or repeated packets — is a {@link MalformedPacket} with its reason,
 * never another exception.
 */
class PacketCodecTest {
    private static final byte[] KEY = new byte[PacketAuth.KEY_BYTES];
    private static final Identity OWNER = Identity.generate();
    private static final long NOW = 1_800_000_000_000L;

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    private static PacketCodec codec() {
        return new PacketCodec(new PacketAuth(KEY, 30_000));
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<NodeId> ids = Arbitraries.bytes().array(byte[].class).ofSize(NodeId.BYTES).map(NodeId::of);
        Arbitrary<Long> txs = Arbitraries.longs();
        Arbitrary<Contact> contacts = Combinators.combine(ids, Arbitraries.bytes().array(byte[].class).ofSize(4),
                Arbitraries.integers().between(1, 65535)).as((id, ip, port) -> new Contact(id, address(ip, port)));
        Arbitrary<SignedValue> values = Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(SignedValue.MAX_NAME),
                Arbitraries.longs(), Arbitraries.bytes().array(byte[].class).ofMaxSize(SignedValue.MAX_DATA))
                .as((name, seq, data) -> SignedValue.sign(OWNER, name, seq, data));
        return Arbitraries.oneOf(
                Combinators.combine(txs, ids).as(Message.Ping::new),
                Combinators.combine(txs, ids).as(Message.Pong::new),
                Combinators.combine(txs, ids, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(PacketCodec.MAX_CARD))
                        .as(Message.Pong::new),
                Combinators.combine(txs, ids, ids).as(Message.FindNode::new),
                Combinators.combine(txs, ids, ids).as(Message.FindValue::new),
                Combinators.combine(txs, ids, contacts.list().ofMaxSize(20)).as(Message.Nodes::new),
                Combinators.combine(txs, ids, values).as(Message.Found::new),
                Combinators.combine(txs, ids, values, Arbitraries.longs().between(1, Long.MAX_VALUE)).as(Message.Store::new),
                Combinators.combine(txs, ids, Arbitraries.of(true, false)).as(Message.Stored::new));
    }

    private static InetSocketAddress address(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ByteBuffer encode(Message m, long time) {
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.MAX_PACKET);
        codec().encode(m, time, out);
        return out;
    }

    private static String normal(Message m) {
        return switch (m) {
            case Message.Found f -> "Found " + f.tx() + f.sender() + Arrays.toString(f.value().data()) + f.value().seq();
            case Message.Store s -> "Store " + s.tx() + s.sender() + Arrays.toString(s.value().data()) + s.value().seq() + " " + s.ttlMillis();
            case Message.Pong p -> "Pong " + p.tx() + p.sender() + Arrays.toString(p.card());
            default -> m.toString();
        };
    }

    @Property
    void messagesRoundTrip(@ForAll("messages") Message m) throws MalformedPacket {
        ByteBuffer packet = encode(m, NOW);
        assertThat(packet.remaining()).isLessThanOrEqualTo(PacketCodec.MAX_PACKET);
        Message back = codec().decode(packet, NOW + 5);
        assertThat(normal(back)).isEqualTo(normal(m));
        if (back instanceof Message.Found f) {
            assertThat(f.value().verify()).isTrue();
        }
    }

    @Property
    void randomBytesAreRefusedCleanly(@ForAll @Size(max = 1600) byte[] junk) {
        assertThat(catchThrowable(() -> codec().decode(ByteBuffer.wrap(junk), NOW))).isInstanceOf(MalformedPacket.class);
    }

    @Property
    void damagedPacketsAreRefusedCleanly(@ForAll("messages") Message m, @ForAll @IntRange(min = 0, max = 1399) int at,
                                         @ForAll @IntRange(min = 1, max = 255) int flip, @ForAll boolean truncate) {
        ByteBuffer packet = encode(m, NOW);
        byte[] bytes = new byte[packet.remaining()];
        packet.get(bytes);
        int i = at % bytes.length;
        byte[] damaged = truncate ? Arrays.copyOf(bytes, i) : bytes.clone();
        if (!truncate) {
            damaged[i] ^= (byte) flip;
        }
        assertThat(catchThrowable(() -> codec().decode(ByteBuffer.wrap(damaged), NOW))).isInstanceOf(MalformedPacket.class);
    }

    /** A member of the network (it has the key) that sends nonsense bodies still gets only MalformedPacket. */
    @Property
    void authenticNonsenseIsRefusedCleanly(@ForAll @IntRange(min = 0, max = 9) int type, @ForAll @Size(max = 1300) byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.MAX_PACKET + 100);
        out.putShort((short) 0x444B).put((byte) 1).put((byte) type).putLong(NOW).putLong(9);
        node().write(out);
        out.put(body);
        new PacketAuth(KEY, 30_000).seal(out);
        out.flip();
        Throwable t = catchThrowable(() -> codec().decode(out, NOW));
        assertThat(t == null || t instanceof MalformedPacket).as("%s", t).isTrue();
    }

    @Test
    void anotherNetworksKeyIsRefused() {
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.MAX_PACKET);
        new PacketCodec(new PacketAuth(new byte[PacketAuth.KEY_BYTES], 30_000)).encode(new Message.Ping(1, node()), NOW, out);
        assertThatThrownBy(() -> codec().decode(out, NOW)).isInstanceOf(MalformedPacket.class)
                .extracting(e -> ((MalformedPacket) e).reason()).isEqualTo(MalformedPacket.Reason.UNAUTHENTICATED);
    }

    @Test
    void oldAndRepeatedPacketsAreRefused() throws MalformedPacket {
        PacketCodec receiver = codec();
        ByteBuffer old = encode(new Message.Ping(1, node()), NOW - 31_000);
        assertThatThrownBy(() -> receiver.decode(old, NOW)).extracting(e -> ((MalformedPacket) e).reason())
                .isEqualTo(MalformedPacket.Reason.STALE);
        ByteBuffer fresh = encode(new Message.Ping(2, node()), NOW);
        byte[] copy = new byte[fresh.remaining()];
        fresh.duplicate().get(copy);
        receiver.decode(fresh, NOW);
        assertThatThrownBy(() -> receiver.decode(ByteBuffer.wrap(copy), NOW + 10_000)).extracting(e -> ((MalformedPacket) e).reason())
                .isEqualTo(MalformedPacket.Reason.REPLAYED);
        assertThat(receiver.decode(encode(new Message.Ping(2, node()), NOW + 1), NOW + 10_000)).isNotNull();
    }

    @Test
    void aFullAnswerFitsOnePacket() throws MalformedPacket {
        List<Contact> twenty = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> new Contact(node(), address(new byte[]{10, 0, 0, (byte) i}, 4000 + i))).toList();
        ByteBuffer packet = encode(new Message.Nodes(3, node(), twenty), NOW);
        assertThat(((Message.Nodes) codec().decode(packet, NOW)).contacts()).isEqualTo(twenty);
    }

    private static NodeId node() {
        return NodeId.hash(new byte[]{(byte) System.nanoTime()});
    }
}
