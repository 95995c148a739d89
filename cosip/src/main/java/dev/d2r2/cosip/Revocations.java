package dev.d2r2.cosip;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The provider's revocation list for its domain: which users' credentials issued up to when are
 * void. It is a DHT value signed by the provider's key, named {@code cosip-revoked:<domain>}, so it
 * lies under {@code SHA-256(provider key ‖ name)} beside the credentials, survives the provider's
 * death with them, and only the provider can write it (a newer list replaces an older one by its
 * sequence number, the time it was signed). Its data is {@code user time} lines: every credential
 * for {@code sip:user@domain} issued at or before {@code time} (its sequence number) is revoked.
 * An entry older than a credential's lifetime voids only expired credentials and is dropped, which
 * keeps the list within a DHT value's {@value SignedValue#MAX_DATA} bytes.
 */
public final class Revocations {
    private static final String NAME = "cosip-revoked:";
    private final Map<String, Long> revokedUpTo;
    private final long seq;

    private Revocations(Map<String, Long> revokedUpTo, long seq) {
        this.revokedUpTo = Collections.unmodifiableMap(revokedUpTo);
        this.seq = seq;
    }

    public static Revocations none() {
        return new Revocations(new TreeMap<>(), 0);
    }

    /** A list of {@code user → revoked up to} entries, signed at the latest of them. */
    public static Revocations of(Map<String, Long> entries) {
        return new Revocations(new TreeMap<>(entries), entries.values().stream().mapToLong(Long::longValue).max().orElse(0));
    }

    public static NodeId dhtKey(byte[] providerKey, String domain) {
        return SignedValue.keyOf(providerKey, name(domain));
    }

    private static byte[] name(String domain) {
        return (NAME + domain).getBytes(StandardCharsets.UTF_8);
    }

    /** The list in a DHT value, or null when the value is not the provider's list for {@code domain} or does not parse. */
    public static Revocations from(SignedValue value, byte[] providerKey, String domain) {
        if (!Arrays.equals(value.publicKey(), providerKey) || !Arrays.equals(value.name(), name(domain)) || !value.verify()) {
            return null;
        }
        Map<String, Long> entries = new TreeMap<>();
        for (String line : new String(value.data(), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                if (f.length != 2) {
                    return null;
                }
                entries.merge(f[0], Long.parseLong(f[1]), Math::max);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new Revocations(entries, value.seq());
    }

    /** Whether {@code credential} (checked otherwise) is revoked: its user's entry is at or after its time of issue. */
    public boolean revokes(SignedValue credential) {
        String aor = Credential.aor(credential);
        int at = aor.indexOf('@');
        Long upTo = aor.startsWith("sip:") && at > 4 ? revokedUpTo.get(aor.substring(4, at)) : null;
        return upTo != null && credential.seq() <= upTo;
    }

    /** When the list was signed; a list replaces another only if newer. */
    public long seq() {
        return seq;
    }

    public Map<String, Long> entries() {
        return revokedUpTo;
    }

    /**
     * This list with {@code user} revoked at {@code now}, entries older than {@code lifetime} dropped;
     * null when it would not fit in a DHT value.
     */
    public Revocations with(String user, long now, long lifetime) {
        Map<String, Long> next = new TreeMap<>();
        revokedUpTo.forEach((u, t) -> {
            if (t > now - lifetime) {
                next.put(u, t);
            }
        });
        next.put(user, now);
        Revocations r = new Revocations(next, now);
        return r.data().length > SignedValue.MAX_DATA ? null : r;
    }

    /** The list as a DHT value, signed with the provider's identity. */
    public SignedValue sign(Identity provider, String domain) {
        return SignedValue.sign(provider, name(domain), seq, data());
    }

    private byte[] data() {
        StringBuilder b = new StringBuilder();
        revokedUpTo.forEach((u, t) -> b.append(u).append(' ').append(t).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
