package dev.d2r2.p2psip.tunnel;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LayerCryptoTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<KeyPair> KEYS = new ArrayList<>();
    private static final List<Hop> HOPS = new ArrayList<>();

    @BeforeContainer
    static void hops() {
        for (int i = 0; i < SetupOnion.MAX_HOPS; i++) {
            KeyPair k = X25519.generate();
            KEYS.add(k);
            HOPS.add(new Hop(X25519.raw(k.getPublic()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000 + i)));
        }
    }

    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(Payload.MAX_DATA_BYTES);
    }

    /** Each hop opens its own record, learns its successor and the origin's keys, and passes on a body of the same size. */
    private static List<LayerKeys> setUp(int length, long now) throws Exception {
        SetupOnion.Built built = SetupOnion.build(HOPS.subList(0, length), now, RANDOM);
        byte[] body = built.body();
        List<LayerKeys> hopKeys = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            SetupOnion.Opened o = SetupOnion.open(body, KEYS.get(i).getPrivate(), HOPS.get(i).publicKey(), RANDOM);
            assertThat(o.originMillis()).isEqualTo(now);
            assertThat(o.next()).isEqualTo(i == length - 1 ? null : HOPS.get(i + 1));
            assertThat(o.keys()).usingRecursiveComparison().isEqualTo(built.keys().get(i));
            assertThat(o.passOn()).hasSize(Cell.BODY_BYTES);
            hopKeys.add(o.keys());
            body = o.passOn();
        }
        return hopKeys;
    }

    @Property(tries = 40)
    void dataCrossesEveryHopBothWaysAndKeepsItsSize(@ForAll @IntRange(min = 1, max = SetupOnion.MAX_HOPS) int length,
                                                    @ForAll("data") byte[] out, @ForAll("data") byte[] back,
                                                    @ForAll @IntRange(min = 0, max = 1000) int sequence) throws Exception {
        List<LayerKeys> keys = setUp(length, 1_000_000L);
        byte[] body = DataCell.sealForward(keys, sequence, new Payload(Payload.Kind.DATA, out), RANDOM);
        for (LayerKeys k : keys) {
            DataCell.peel(k, sequence, body, RANDOM);
            assertThat(body).hasSize(Cell.BODY_BYTES);
        }
        assertThat(DataCell.plain(body).data()).isEqualTo(out);

        byte[] reply = DataCell.startBackward(new Payload(Payload.Kind.DATA, back), RANDOM);
        for (int i = length - 1; i >= 0; i--) {
            DataCell.wrap(keys.get(i), sequence, reply);
            assertThat(reply).hasSize(Cell.BODY_BYTES);
        }
        assertThat(DataCell.openBackward(keys, sequence, reply).data()).isEqualTo(back);
    }

    @Property(tries = 60)
    void anyFlippedBitOrWrongSequenceFailsTheLayer(@ForAll @IntRange(min = 1, max = 3) int length,
                                                   @ForAll @IntRange(min = 0, max = Cell.BODY_BYTES * 8 - 1) int bit,
                                                   @ForAll("data") byte[] out) throws Exception {
        List<LayerKeys> keys = setUp(length, 0);
        byte[] body = DataCell.sealForward(keys, 7, new Payload(Payload.Kind.DATA, out), RANDOM);
        byte[] replayed = body.clone();
        int at = bit / 8;
        body[at] ^= (byte) (1 << (bit % 8));
        boolean coveredByFirstLayer = at < Gcm.TAG_BYTES || at >= DataCell.SLOTS_BYTES;
        if (coveredByFirstLayer) {
            assertThatThrownBy(() -> DataCell.peel(keys.getFirst(), 7, body, RANDOM)).isInstanceOfSatisfying(MalformedCell.class,
                    e -> assertThat(e.reason()).isEqualTo(Refusal.BAD_LAYER));
        }
        assertThatThrownBy(() -> DataCell.peel(keys.getFirst(), 8, replayed, RANDOM)).isInstanceOf(MalformedCell.class);

        byte[] reply = DataCell.startBackward(new Payload(Payload.Kind.DATA, out), RANDOM);
        for (int i = length - 1; i >= 0; i--) {
            DataCell.wrap(keys.get(i), 3, reply);
        }
        reply[at] ^= (byte) (1 << (bit % 8));
        if (at / Gcm.TAG_BYTES < length || at >= DataCell.SLOTS_BYTES) {
            assertThatThrownBy(() -> DataCell.openBackward(keys, 3, reply)).isInstanceOfSatisfying(MalformedCell.class,
                    e -> assertThat(e.reason()).isEqualTo(Refusal.BAD_LAYER));
        }
    }

    @Property(tries = 40)
    void aSetupRecordOpensOnlyForItsHopAndNotWhenAltered(@ForAll @IntRange(min = 0, max = SetupOnion.RECORD_BYTES - 1) int at)
            throws GeneralSecurityException {
        SetupOnion.Built built = SetupOnion.build(HOPS.subList(0, 3), 0, RANDOM);
        assertThatThrownBy(() -> SetupOnion.open(built.body(), KEYS.get(1).getPrivate(), HOPS.get(1).publicKey(), RANDOM))
                .isInstanceOfSatisfying(MalformedCell.class, e -> assertThat(e.reason()).isEqualTo(Refusal.BAD_SETUP));
        byte[] altered = built.body().clone();
        altered[at] ^= 1;
        assertThatThrownBy(() -> SetupOnion.open(altered, KEYS.get(0).getPrivate(), HOPS.get(0).publicKey(), RANDOM))
                .isInstanceOfSatisfying(MalformedCell.class, e -> assertThat(e.reason()).isEqualTo(Refusal.BAD_SETUP));
    }
}
