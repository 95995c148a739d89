package dev.d2r2.overlay.route;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/**
 * Limited flooding's relay cache in the DHT (phase 1 and learning): a relay that reached a
 * destination stores itself under {@code relay:<destination>}, and a source whose direct path
 * breaks looks there first. A DHT key belongs to one identity, and any member of the overlay may
 * learn a relay, so the records are signed by a directory identity every member derives from the
 * overlay's network key: the same trust as the network key itself (one operator's overlay), no
 * more. The newest record wins (sequence number: its time).
 */
public final class RelayDirectory {
    private final Identity identity;

    public RelayDirectory(byte[] networkKey) {
        this.identity = derive(networkKey);
    }

    /** The Ed25519 identity whose seed is HMAC-SHA256(network key, "d2r2-relay-directory"). */
    private static Identity derive(byte[] networkKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(networkKey, "HmacSHA256"));
            byte[] seed = mac.doFinal("d2r2-relay-directory".getBytes(StandardCharsets.US_ASCII));
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            var pair = g.generateKeyPair();
            byte[] x509 = pair.getPublic().getEncoded();
            return Identity.of(pair.getPrivate().getEncoded(), Arrays.copyOfRange(x509, x509.length - 32, x509.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256 or Ed25519", e);
        }
    }

    private static byte[] name(InetSocketAddress destination) {
        return ("relay:" + hostPort(destination)).getBytes(StandardCharsets.US_ASCII);
    }

    public NodeId keyFor(InetSocketAddress destination) {
        return SignedValue.keyOf(identity.publicKey(), name(destination));
    }

    public SignedValue record(InetSocketAddress destination, InetSocketAddress relay, long now) {
        return SignedValue.sign(identity, name(destination), now, hostPort(relay).getBytes(StandardCharsets.US_ASCII));
    }

    /** The relay a record names, or null when it names none (or nonsense). */
    public static InetSocketAddress relayOf(SignedValue value) {
        String text = new String(value.data(), StandardCharsets.US_ASCII);
        int colon = text.lastIndexOf(':');
        try {
            return colon < 0 ? null : new InetSocketAddress(InetAddress.ofLiteral(text.substring(0, colon)), Integer.parseInt(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
