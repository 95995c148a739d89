package dev.d2r2.p2psip.tunnel;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of a {@link CellType#SETUP} cell: {@link #MAX_HOPS} records of {@link #RECORD_BYTES},
 * the first for the hop receiving it, the rest for the hops after it or random filler (the two
 * look alike, so a hop cannot count the hops after it). Each record is the seed's hybrid
 * {m_i}+K_fi with m_i reduced to what the hop cannot learn from its link:
 * <pre>
 *  record: | one-time X25519 public key (32) | sealed m_i (79) | GCM tag (16) |
 *  m_i:    | flags (1: bit 0 = last hop) | origin's clock, ms (8) | successor: key, address (50) | zero (20) |
 * </pre>
 * The hop opens the first record, derives the tunnel's {@link LayerKeys} from the same X25519
 * secret, shifts the others left by one and fills the freed last slot with random bytes, so the
 * body it passes on is as long as the one it received.
 */
public final class SetupOnion {
    public static final int MAX_HOPS = 8;
    static final int RECORD_BYTES = Cell.BODY_BYTES / MAX_HOPS;
    static final int SEALED_BYTES = RECORD_BYTES - X25519.KEY_BYTES - Gcm.TAG_BYTES;
    private static final byte LAST = 1;
    private static final byte[] ZERO_NONCE = new byte[Gcm.NONCE_BYTES];

    private SetupOnion() {
    }

    /** What the origin keeps: the body to send to the first hop and the keys it now shares with each hop. */
    public record Built(byte[] body, List<LayerKeys> keys) {
    }

    /** What a hop learns from its record; {@code next} is null for the last hop. */
    public record Opened(LayerKeys keys, byte[] oneTimePublic, long originMillis, Hop next, byte[] passOn) {
        public boolean last() {
            return next == null;
        }
    }

    public static Built build(List<Hop> path, long nowMillis, SecureRandom random) throws GeneralSecurityException {
        if (path.isEmpty() || path.size() > MAX_HOPS) {
            throw new IllegalArgumentException("a tunnel has 1 to " + MAX_HOPS + " hops, not " + path.size());
        }
        byte[] body = new byte[Cell.BODY_BYTES];
        random.nextBytes(body);
        List<LayerKeys> keys = new ArrayList<>();
        for (int i = 0; i < path.size(); i++) {
            Hop hop = path.get(i);
            KeyPair oneTime = X25519.generate();
            byte[] oneTimePublic = X25519.raw(oneTime.getPublic());
            LayerKeys k = LayerKeys.derive(X25519.agree(oneTime.getPrivate(), hop.publicKey()), oneTimePublic, hop.publicKey());
            keys.add(k);
            ByteBuffer record = ByteBuffer.wrap(body, i * RECORD_BYTES, RECORD_BYTES);
            record.put(oneTimePublic);
            byte[] plain = new byte[SEALED_BYTES];
            ByteBuffer m = ByteBuffer.wrap(plain);
            boolean last = i == path.size() - 1;
            m.put(last ? LAST : 0).putLong(nowMillis);
            if (!last) {
                HopCodec.put(m, path.get(i + 1));
            }
            byte[] tag = Gcm.seal(k.recordKey(), ZERO_NONCE, plain, 0, plain.length);
            record.put(plain).put(tag);
        }
        return new Built(body, List.copyOf(keys));
    }

    /**
     * Opens the first record with this hop's private key.
     *
     * @throws MalformedCell BAD_SETUP if the record is not sealed to this key, MALFORMED if its content is not a record
     */
    public static Opened open(byte[] body, PrivateKey mine, byte[] minePublic, SecureRandom random) throws MalformedCell {
        byte[] oneTimePublic = Arrays.copyOfRange(body, 0, X25519.KEY_BYTES);
        byte[] sealed = Arrays.copyOfRange(body, X25519.KEY_BYTES, X25519.KEY_BYTES + SEALED_BYTES);
        byte[] tag = Arrays.copyOfRange(body, X25519.KEY_BYTES + SEALED_BYTES, RECORD_BYTES);
        LayerKeys keys;
        try {
            keys = LayerKeys.derive(X25519.agree(mine, oneTimePublic), oneTimePublic, minePublic);
            Gcm.open(keys.recordKey(), ZERO_NONCE, sealed, 0, sealed.length, tag);
        } catch (GeneralSecurityException e) {
            throw new MalformedCell(Refusal.BAD_SETUP, "setup record does not open: " + e.getMessage());
        }
        ByteBuffer m = ByteBuffer.wrap(sealed);
        byte flags = m.get();
        long originMillis = m.getLong();
        Hop next = (flags & LAST) != 0 ? null : HopCodec.get(m);
        byte[] passOn = new byte[Cell.BODY_BYTES];
        System.arraycopy(body, RECORD_BYTES, passOn, 0, (MAX_HOPS - 1) * RECORD_BYTES);
        byte[] filler = new byte[Cell.BODY_BYTES - (MAX_HOPS - 1) * RECORD_BYTES];
        random.nextBytes(filler);
        System.arraycopy(filler, 0, passOn, (MAX_HOPS - 1) * RECORD_BYTES, filler.length);
        return new Opened(keys, oneTimePublic, originMillis, next, passOn);
    }
}
