package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.Hop;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContactDataTest {
    private final Identity alice = Identity.generate();
    private final ContactData data = new ContactData(List.of(entry(1, 7001), entry(2, 7002)), new byte[32], 1_000, 61_000);

    private static EntryPoint entry(int key, int port) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) key);
        return new EntryPoint(new Hop(k, new InetSocketAddress("127.0.0.1", port)), 0x7000_0000 + key);
    }

    @Test
    void signedContactDataOpensWithItsOwnersKeyUnderHOfTheOwner() throws Exception {
        SignedValue value = data.sign(alice);

        assertThat(value.key()).isEqualTo(ContactData.keyOf(alice.publicKey()));
        assertThat(ContactData.open(value, alice.publicKey(), 60_999)).isEqualTo(data);
        assertThat(value.seq()).isEqualTo(1_000);
    }

    @Test
    void expiredContactDataIsRefused() {
        assertThatThrownBy(() -> ContactData.open(data.sign(alice), alice.publicKey(), 61_000))
                .isInstanceOfSatisfying(BadContact.class, e -> assertThat(e.reason()).isEqualTo(BadContact.Reason.EXPIRED));
    }

    @Test
    void contactDataSignedByAnotherKeyOrTamperedWithIsRefusedAsForged() {
        Identity mallory = Identity.generate();
        assertThatThrownBy(() -> ContactData.open(data.sign(mallory), alice.publicKey(), 2_000))
                .isInstanceOfSatisfying(BadContact.class, e -> assertThat(e.reason()).isEqualTo(BadContact.Reason.FORGED));

        SignedValue genuine = data.sign(alice);
        byte[] changed = genuine.data();
        changed[changed.length - 1] ^= 1;
        ByteBuffer b = ByteBuffer.allocate(genuine.encodedSize());
        SignedValue.unverified(genuine.publicKey(), genuine.name(), genuine.seq(), changed, signatureOf(genuine)).write(b);
        SignedValue tampered = SignedValue.read(b.flip());
        assertThatThrownBy(() -> ContactData.open(tampered, alice.publicKey(), 2_000))
                .isInstanceOfSatisfying(BadContact.class, e -> assertThat(e.reason()).isEqualTo(BadContact.Reason.FORGED));
    }

    @Test
    void wellSignedButMalformedContactDataIsRefusedAsMalformed() {
        SignedValue value = SignedValue.sign(alice, "d2r2-p2psip-contact".getBytes(), 1_000, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 9, 3});
        assertThatThrownBy(() -> ContactData.open(value, alice.publicKey(), 2_000))
                .isInstanceOfSatisfying(BadContact.class, e -> assertThat(e.reason()).isEqualTo(BadContact.Reason.MALFORMED));
    }

    private static byte[] signatureOf(SignedValue v) {
        ByteBuffer b = ByteBuffer.allocate(v.encodedSize());
        v.write(b);
        return Arrays.copyOfRange(b.array(), b.position() - 64, b.position());
    }
}
