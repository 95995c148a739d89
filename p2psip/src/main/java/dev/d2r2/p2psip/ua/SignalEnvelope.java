package dev.d2r2.p2psip.ua;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.p2psip.contact.EntryPoint;
import dev.d2r2.p2psip.tunnel.HopCodec;
import dev.d2r2.p2psip.tunnel.MalformedCell;
import dev.d2r2.p2psip.tunnel.X25519;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A signalling message as it leaves the caller's outbound tunnel for the callee's entry point,
 * encrypted end to end: to the callee's signalling key (X25519, published in its contact data and
 * so signed by its identity key) with a one-time key of the sender's, HKDF-SHA256 and AES-256-GCM.
 * Inside, the sender's identity key and its signature over the recipient's identity key and the
 * message, so the callee refuses a message that claims a sender it does not come from, or that was
 * sealed for someone else. The sender's clock is signed too, and the one-time key names the envelope,
 * so the callee can refuse a copy replayed by a hop on the way ({@link dev.d2r2.p2psip.tunnel.ReplayWindow}).
 * The exit and the entry point see the one-time key and ciphertext only: neither the message nor who sent it.
 * The sender's signalling key and current inbound entry points ride along (signed, so a hop cannot redirect the
 * answer): the recipient answers to them, as a SIP response follows its request's Via path, not to contact data looked
 * up later — right after the sender rebuilt an inbound tunnel its new contact data may not be stored yet, and a 180
 * sent to the old entry point is lost for good (SIP does not retransmit it).
 * <pre>one-time X25519 key (32) · AES-GCM( sender identity key (32) · Ed25519 signature (64) · sender's clock, ms (8)
 *   · sender's signalling key (32) · entry points n (1) · n × (hop (50) · entry id (4)), padded to {@value #REPLY_ENTRIES}
 *   · message ) · tag (16)</pre>
 */
record SignalEnvelope(byte[] oneTimeKey, byte[] sender, long sentAtMillis, byte[] senderSignalKey, List<EntryPoint> replyTo,
                      byte[] message) {
    /**
     * The most entry points an envelope names, always room for this many so its length does not tell how many the
     * sender has; two, the default q, keep SIPp's INVITE and its SDP within one cell.
     */
    static final int REPLY_ENTRIES = 2;
    private static final int ENTRY = HopCodec.BYTES + Integer.BYTES;
    private static final byte[] DOMAIN = "d2r2-p2psip-signal-v5".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY = X25519.KEY_BYTES;
    private static final int SIGNATURE_END = 32 + 64;
    private static final int REPLY_BYTES = KEY + 1 + REPLY_ENTRIES * ENTRY;
    private static final int INNER_HEADER = SIGNATURE_END + Long.BYTES + REPLY_BYTES;
    private static final int TAG_BITS = 128;
    /** Every byte an envelope adds to its message. */
    static final int OVERHEAD = KEY + INNER_HEADER + TAG_BITS / 8;
    /** Each envelope has its own key (from its one-time key), so one fixed nonce is never reused under a key. */
    private static final byte[] NONCE = new byte[12];

    /**
     * @param senderSignalKey the key the recipient seals its answers to
     * @param replyTo         the sender's inbound entry points that stand now, the first {@value #REPLY_ENTRIES} of them kept
     */
    static byte[] seal(Identity sender, byte[] recipient, byte[] recipientSignalKey, long nowMillis, byte[] senderSignalKey,
                       List<EntryPoint> replyTo, byte[] message) {
        try {
            KeyPair oneTime = X25519.generate();
            byte[] oneTimePublic = X25519.raw(oneTime.getPublic());
            byte[] reply = reply(senderSignalKey, replyTo.subList(0, Math.min(REPLY_ENTRIES, replyTo.size())));
            byte[] inner = ByteBuffer.allocate(INNER_HEADER + message.length).put(sender.publicKey())
                    .put(sender.sign(signed(recipient, nowMillis, reply, message))).putLong(nowMillis)
                    .put(reply).put(message).array();
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, X25519.agree(oneTime.getPrivate(), recipientSignalKey), oneTimePublic, recipient);
            return ByteBuffer.allocate(OVERHEAD + message.length).put(oneTimePublic).put(gcm.doFinal(inner)).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot seal to signalling key: " + e.getMessage(), e);
        }
    }

    /**
     * @throws IllegalArgumentException if the bytes are too short, were not sealed to this signalling key
     *                                  or were altered, or the signature inside does not check
     */
    static SignalEnvelope open(byte[] bytes, byte[] recipient, PrivateKey signalKey) {
        if (bytes.length <= OVERHEAD) {
            throw new IllegalArgumentException("a signalling message of " + bytes.length + " bytes");
        }
        byte[] oneTimePublic = Arrays.copyOf(bytes, KEY);
        byte[] inner;
        try {
            inner = cipher(Cipher.DECRYPT_MODE, X25519.agree(signalKey, oneTimePublic), oneTimePublic, recipient)
                    .doFinal(bytes, KEY, bytes.length - KEY);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("a signalling message altered, or not sealed to this user");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a signalling message that does not open: " + e.getMessage());
        }
        byte[] sender = Arrays.copyOf(inner, 32);
        long sentAt = ByteBuffer.wrap(inner, SIGNATURE_END, Long.BYTES).getLong();
        byte[] reply = Arrays.copyOfRange(inner, SIGNATURE_END + Long.BYTES, INNER_HEADER);
        byte[] message = Arrays.copyOfRange(inner, INNER_HEADER, inner.length);
        if (!Identity.verify(sender, signed(recipient, sentAt, reply, message), Arrays.copyOfRange(inner, 32, SIGNATURE_END))) {
            throw new IllegalArgumentException("a signalling message whose signature does not check");
        }
        ByteBuffer b = ByteBuffer.wrap(reply);
        byte[] senderSignalKey = new byte[KEY];
        b.get(senderSignalKey);
        int count = b.get() & 0xff;
        if (count > REPLY_ENTRIES) {
            throw new IllegalArgumentException("a signalling message naming " + count + " entry points, at most " + REPLY_ENTRIES);
        }
        List<EntryPoint> replyTo = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                replyTo.add(new EntryPoint(HopCodec.get(b), b.getInt()));
            }
        } catch (MalformedCell | BufferUnderflowException e) {
            throw new IllegalArgumentException("a signalling message with a malformed entry point: " + e.getMessage());
        }
        return new SignalEnvelope(oneTimePublic, sender, sentAt, senderSignalKey, List.copyOf(replyTo), message);
    }

    private static byte[] reply(byte[] signalKey, List<EntryPoint> entries) {
        ByteBuffer b = ByteBuffer.allocate(REPLY_BYTES).put(signalKey).put((byte) entries.size());
        for (EntryPoint e : entries) {
            HopCodec.put(b, e.hop());
            b.putInt(e.entryId());
        }
        return b.array();
    }

    /** The most message bytes one envelope carries through an exit into an entry point. */
    static int maxMessage(int tunnelData) {
        return tunnelData - OVERHEAD;
    }

    /** The key is bound to the one-time key and to the recipient's identity, so an envelope opens for its recipient only. */
    private static Cipher cipher(int mode, byte[] shared, byte[] oneTimePublic, byte[] recipient) throws GeneralSecurityException {
        byte[] info = ByteBuffer.allocate(DOMAIN.length + recipient.length).put(DOMAIN).put(recipient).array();
        byte[] key = KDF.getInstance("HKDF-SHA256").deriveData(
                HKDFParameterSpec.ofExtract().addIKM(shared).addSalt(oneTimePublic).thenExpand(info, 32));
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, NONCE));
        c.updateAAD(oneTimePublic);
        return c;
    }

    private static byte[] signed(byte[] recipient, long sentAtMillis, byte[] reply, byte[] message) {
        return ByteBuffer.allocate(DOMAIN.length + recipient.length + Long.BYTES + reply.length + message.length).put(DOMAIN)
                .put(recipient).putLong(sentAtMillis).put(reply).put(message).array();
    }
}
