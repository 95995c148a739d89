package dev.d2r2.tunnel.wire;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-tunnel keys from two identities: both ends agree alone, and every other tunnel, direction or identity gives another key. */
class TunnelIdentityTest {
    private final TunnelIdentity en = identity();
    private final TunnelIdentity dn = identity();
    private final TunnelIdentity other = identity();

    @Test
    void bothEndsDeriveTheSameKeyForEachDirection() {
        for (Direction d : Direction.values()) {
            assertThat(en.pairKey(dn.publicKey(), 7, true, d)).hasSize(PacketMac.KEY_BYTES)
                    .isEqualTo(dn.pairKey(en.publicKey(), 7, false, d));
        }
    }

    @Test
    void tunnelsDirectionsAndIdentitiesEachHaveTheirOwnKey() {
        List<byte[]> keys = List.of(
                en.pairKey(dn.publicKey(), 1, true, Direction.EN_TO_DN),
                en.pairKey(dn.publicKey(), 2, true, Direction.EN_TO_DN),
                en.pairKey(dn.publicKey(), 1, true, Direction.DN_TO_EN),
                en.pairKey(other.publicKey(), 1, true, Direction.EN_TO_DN),
                other.pairKey(dn.publicKey(), 1, true, Direction.EN_TO_DN));
        Set<String> distinct = new HashSet<>();
        keys.forEach(k -> distinct.add(HexFormat.of().formatHex(k)));
        assertThat(distinct).hasSize(keys.size());
    }

    @Test
    void aFrameSealedForOneTunnelOrByAnotherIdentityDoesNotVerify() {
        PacketMac dnChecks = new PacketMac(dn.pairKey(en.publicKey(), 1, false, Direction.EN_TO_DN));
        assertThat(GreFrame.open(frame(en.pairKey(dn.publicKey(), 1, true, Direction.EN_TO_DN)), id -> dnChecks)).isNull();
        assertThat(GreFrame.open(frame(en.pairKey(dn.publicKey(), 2, true, Direction.EN_TO_DN)), id -> dnChecks))
                .isEqualTo(Drop.UNAUTHENTICATED);
        assertThat(GreFrame.open(frame(other.pairKey(dn.publicKey(), 1, true, Direction.EN_TO_DN)), id -> dnChecks))
                .isEqualTo(Drop.UNAUTHENTICATED);
    }

    @Test
    void theKeyIsTheIdentitysOwnAndBadPublicKeysAreRefused() {
        var pair = Crypto.newSigningKeyPair();
        assertThat(TunnelIdentity.of(pair.getPrivate()).publicHex()).isEqualTo(TunnelIdentity.of(pair.getPrivate()).publicHex())
                .hasSize(64);
        assertThatThrownBy(() -> en.pairKey(new byte[32], 1, true, Direction.EN_TO_DN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TunnelIdentity.parsePublic("abc")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> TunnelIdentity.parsePublic("zz".repeat(32))).hasMessageContaining("hex digits");
    }

    @Test
    void theTunnelPublicKeyIsTheIdentitysEd25519PublicKeyInMontgomeryForm() {
        var pair = Crypto.newSigningKeyPair();
        byte[] encoded = pair.getPublic().getEncoded();
        BigInteger y = littleEndian(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length), true);
        BigInteger p = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
        BigInteger u = BigInteger.ONE.add(y).multiply(BigInteger.ONE.subtract(y).mod(p).modInverse(p)).mod(p); // RFC 7748 §4.1
        assertThat(littleEndian(TunnelIdentity.of(pair.getPrivate()).publicKey(), false)).isEqualTo(u);
    }

    private static BigInteger littleEndian(byte[] le, boolean dropSignBit) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        if (dropSignBit) {
            be[0] &= 0x7f;
        }
        return new BigInteger(1, be);
    }

    private static ByteBuffer frame(byte[] key) {
        ByteBuffer buf = ByteBuffer.allocate(128);
        int n = Control.write(new Control.Hello(true, 0), buf, GreFrame.HEADER_BYTES);
        GreFrame.seal(buf, GreFrame.PROTO_CONTROL, 1, 0, n, new PacketMac(key));
        return buf;
    }

    private static TunnelIdentity identity() {
        return TunnelIdentity.of(Crypto.newSigningKeyPair().getPrivate());
    }
}
