package dev.d2r2.cosip;

import dev.d2r2.core.Clock;
import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.PacketCodec;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.server.CredentialIssuer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The provider's word that a CoSIP proxy's public key speaks for an AOR until a time: a DHT value
 * ({@link SignedValue}) signed by the provider's key, named by the AOR, its sequence number the
 * time of issue, its data {@code key=<64 hex>;expires=<epoch ms>}. Being a value of the provider's,
 * it lies in the DHT under {@code SHA-256(provider key ‖ AOR)} — a key any proxy that knows the
 * provider's public key derives from the callee's AOR alone, and only the provider can write.
 * On the wire (a SIP header) it is the value's bytes in base64url.
 */
public final class Credential {
    /** The proxy asks for a credential in its REGISTER: its public key in hex. */
    public static final String KEY_HEADER = CredentialIssuer.KEY_HEADER;
    /** The provider's 200 to a REGISTER carries the credential. */
    public static final String HEADER = CredentialIssuer.CREDENTIAL_HEADER;

    /** REVOKED is only said by a proxy that holds the provider's {@link Revocations} list. */
    public enum Verdict { OK, MISSING, GARBLED, FORGED, MISMATCHED, EXPIRED, REVOKED }

    /** A checked credential: the key that speaks for the AOR. */
    public record Checked(Verdict verdict, byte[] key, SignedValue value) {
    }

    private Credential() {
    }

    public static SignedValue issue(Identity provider, String aor, byte[] proxyKey, long now, long ttlMillis) {
        byte[] data = ("key=" + HexFormat.of().formatHex(proxyKey) + ";expires=" + (now + ttlMillis)).getBytes(StandardCharsets.US_ASCII);
        return SignedValue.sign(provider, aor.getBytes(StandardCharsets.UTF_8), now, data);
    }

    /**
     * The provider's side, for {@code d2r2 sip-server}: a credential for the AOR at {@code domain}
     * (only the user part of what the REGISTER's To says is taken) valid for {@code ttl}; none for a
     * key that is not 64 hex digits.
     */
    public static CredentialIssuer issuer(Identity provider, String domain, Duration ttl, Clock clock) {
        return (aor, key) -> {
            String ours = Aor.of(aor, domain);
            if (ours == null || key.length() != 64) {
                return null;
            }
            try {
                return encode(issue(provider, ours, HexFormat.of().parseHex(key), clock.millis(), ttl.toMillis()));
            } catch (IllegalArgumentException e) {
                return null;
            }
        };
    }

    /** Where the credential for {@code aor} issued by {@code providerKey} lies in the DHT. */
    public static NodeId dhtKey(byte[] providerKey, String aor) {
        return SignedValue.keyOf(providerKey, aor.getBytes(StandardCharsets.UTF_8));
    }

    public static String encode(SignedValue credential) {
        ByteBuffer b = ByteBuffer.allocate(credential.encodedSize());
        credential.write(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** Decodes and checks a header value; {@code aor} is the address it must speak for. */
    public static Checked check(String encoded, byte[] providerKey, String aor, long now) {
        if (encoded == null) {
            return refused(Verdict.MISSING);
        }
        SignedValue value = decode(encoded);
        return value == null ? refused(Verdict.GARBLED) : check(value, providerKey, aor, now);
    }

    /** The credential in {@code encoded}, unchecked, or null when it is not one. */
    public static SignedValue decode(String encoded) {
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getUrlDecoder().decode(encoded.strip()));
            SignedValue value = PacketCodec.readValue(in);
            return in.hasRemaining() ? null : value;
        } catch (IllegalArgumentException | BufferUnderflowException | MalformedPacket e) {
            return null;
        }
    }

    /** The AOR a credential speaks for. */
    public static String aor(SignedValue credential) {
        return new String(credential.name(), StandardCharsets.UTF_8);
    }

    /** Checks a credential: the provider signed it, for {@code aor}, and it has not expired. */
    public static Checked check(SignedValue value, byte[] providerKey, String aor, long now) {
        if (!Arrays.equals(value.publicKey(), providerKey) || !value.verify()) {
            return refused(Verdict.FORGED);
        }
        if (aor == null || !aor.equalsIgnoreCase(aor(value))) {
            return refused(Verdict.MISMATCHED);
        }
        String data = new String(value.data(), StandardCharsets.US_ASCII);
        String key = Hop.param(";" + data, "key");
        String expires = Hop.param(";" + data, "expires");
        byte[] raw;
        long until;
        try {
            raw = HexFormat.of().parseHex(key);
            until = Long.parseLong(expires);
        } catch (NullPointerException | IllegalArgumentException e) {
            return refused(Verdict.GARBLED);
        }
        if (raw.length != 32) {
            return refused(Verdict.GARBLED);
        }
        return until <= now ? refused(Verdict.EXPIRED) : new Checked(Verdict.OK, raw, value);
    }

    private static Checked refused(Verdict v) {
        return new Checked(v, null, null);
    }
}
