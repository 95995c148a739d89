package dev.d2r2.tunnel.wire;

import javax.crypto.KDF;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.HKDFParameterSpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A tunnel node's static X25519 key, taken from its d2r2 identity (the Ed25519 signing key of its
 * identity file), and the keys of its tunnels with each peer.
 * <ul>
 *   <li>The X25519 private key is the first half of SHA-512 of the Ed25519 seed: the secret scalar
 *   of RFC 8032 §5.1.5, which the X25519 function clamps as RFC 7748 says. So a node's tunnel key
 *   is its identity, with no second secret to keep.</li>
 *   <li>Its public key (32 bytes, written as 64 hex digits: {@code d2r2 tunnel pubkey}) is X25519
 *   of the scalar and the base point 9, by the JDK's own {@link KeyAgreement}: the identity's
 *   Ed25519 public key in Montgomery form (RFC 7748 §4.1; the test checks it).</li>
 *   <li>The key of tunnel {@code id} between an EN and a DN, one per direction, is
 *   HKDF-SHA256 (RFC 5869) of their X25519 shared secret, with salt {@code "d2r2-tunnel-v2"} and info
 *   {@code "d2r2-tunnel-v2" ‖ id ‖ direction ‖ EN's public key ‖ DN's public key}. Both ends compute
 *   it alone (static-static: no handshake, so a failover needs none); a DN with another identity,
 *   or another tunnel id, or the other direction gives another key.</li>
 * </ul>
 * Everything is the JDK's: SHA-512, X25519 ({@code XDH}) and HKDF ({@link KDF}).
 */
public final class TunnelIdentity {
    public static final int PUBLIC_BYTES = 32;
    private static final byte[] LABEL = "d2r2-tunnel-v2".getBytes(StandardCharsets.US_ASCII);
    private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

    /** Which way a key seals frames. */
    public enum Direction {
        EN_TO_DN('E'), DN_TO_EN('D');

        private final byte tag;

        Direction(char tag) {
            this.tag = (byte) tag;
        }
    }

    private final PrivateKey privateKey;
    private final byte[] publicKey;

    private TunnelIdentity(PrivateKey privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The tunnel key of the identity whose Ed25519 signing key is {@code signingKey}. */
    public static TunnelIdentity of(PrivateKey signingKey) {
        if (!(signingKey instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("a d2r2 identity's signing key is an Ed25519 key, not " + signingKey.getAlgorithm());
        }
        try {
            byte[] seed = ed.getBytes().get();
            byte[] scalar = Arrays.copyOf(MessageDigest.getInstance("SHA-512").digest(seed), 32);
            Arrays.fill(seed, (byte) 0);
            PrivateKey x = KeyFactory.getInstance("X25519").generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar));
            Arrays.fill(scalar, (byte) 0);
            return new TunnelIdentity(x, agree(x, BASE_POINT));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-512 or X25519", e);
        }
    }

    /** The public key peers configure for this node (32 bytes). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String publicHex() {
        return HexFormat.of().formatHex(publicKey);
    }

    /**
     * The key of tunnel {@code tunnelId} between this node and {@code peerPublic}, sealing in
     * {@code direction}; {@code iAmEn} says which end this node is.
     *
     * @throws IllegalArgumentException if {@code peerPublic} is not a usable X25519 key (e.g. all zeros)
     */
    public byte[] pairKey(byte[] peerPublic, int tunnelId, boolean iAmEn, Direction direction) {
        if (peerPublic.length != PUBLIC_BYTES) {
            throw new IllegalArgumentException("an X25519 public key has " + PUBLIC_BYTES + " bytes, not " + peerPublic.length);
        }
        byte[] shared;
        try {
            shared = agree(privateKey, new BigInteger(1, bigEndianU(peerPublic)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable X25519 public key: " + e.getMessage(), e);
        }
        byte[] info = ByteBuffer.allocate(LABEL.length + 5 + 2 * PUBLIC_BYTES).put(LABEL).putInt(tunnelId).put(direction.tag)
                .put(iAmEn ? publicKey : peerPublic).put(iAmEn ? peerPublic : publicKey).array();
        try {
            return KDF.getInstance("HKDF-SHA256").deriveData(
                    HKDFParameterSpec.ofExtract().addIKM(shared).addSalt(LABEL).thenExpand(info, PacketMac.KEY_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HKDF-SHA256", e);
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
    }

    /** Parses a public key written as 64 hex digits. */
    public static byte[] parsePublic(String hex) {
        if (hex == null || hex.length() != 2 * PUBLIC_BYTES) {
            throw new IllegalArgumentException("a tunnel public key is " + 2 * PUBLIC_BYTES + " hex digits (d2r2 tunnel pubkey prints it)");
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a tunnel public key is " + 2 * PUBLIC_BYTES + " hex digits: " + e.getMessage(), e);
        }
    }

    /** X25519 of {@code mine} and the point with u-coordinate {@code u}, as RFC 7748's 32 little-endian bytes. */
    private static byte[] agree(PrivateKey mine, BigInteger u) throws GeneralSecurityException {
        KeyAgreement agreement = KeyAgreement.getInstance("X25519");
        agreement.init(mine);
        agreement.doPhase(KeyFactory.getInstance("X25519").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, u)), true);
        return agreement.generateSecret();
    }

    private static byte[] bigEndianU(byte[] littleEndian) {
        byte[] b = new byte[littleEndian.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = littleEndian[b.length - 1 - i];
        }
        b[0] &= 0x7f; // RFC 7748 §5: the top bit of a received u-coordinate is masked
        return b;
    }
}
