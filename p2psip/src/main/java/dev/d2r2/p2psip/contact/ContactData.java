package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.Identity;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.HopCodec;
import dev.d2r2.p2psip.tunnel.MalformedCell;
import dev.d2r2.p2psip.tunnel.X25519;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The seed's contact data L(A, t): where A's inbound tunnels can be entered, and until when.
 * It names only entry points (the last hops of A's inbound tunnels) and their entry ids, never A's
 * address. It travels as the storage overlay's {@link SignedValue}, signed with A's identity key
 * and stored under h(A) = {@link #keyOf}; the sequence number is the issue time, so a refresh
 * supersedes the older copy at every replica. It also carries A's signalling key (X25519), to which
 * other users encrypt their messages to A end to end; A's signature certifies it.
 * <pre>version 2 (1) · expires at ms (8) · signalling key (32) · count (1) · per entry point: hop (50) · entry id (4)</pre>
 */
public record ContactData(List<EntryPoint> entries, byte[] signalKey, long issuedAtMillis, long expiresAtMillis) {
    public static final int MAX_ENTRIES = 8;
    private static final byte VERSION = 2;
    private static final byte[] NAME = "d2r2-p2psip-contact".getBytes(StandardCharsets.US_ASCII);

    public ContactData {
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("contact data names 1.." + MAX_ENTRIES + " entry points, not " + entries.size());
        }
        entries = List.copyOf(entries);
        if (signalKey.length != X25519.KEY_BYTES) {
            throw new IllegalArgumentException("a signalling key is " + X25519.KEY_BYTES + " bytes, not " + signalKey.length);
        }
        signalKey = signalKey.clone();
    }

    @Override
    public byte[] signalKey() {
        return signalKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContactData c && entries.equals(c.entries) && Arrays.equals(signalKey, c.signalKey)
                && issuedAtMillis == c.issuedAtMillis && expiresAtMillis == c.expiresAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(entries, Arrays.hashCode(signalKey), issuedAtMillis, expiresAtMillis);
    }

    /** h(A): where A's contact data is stored, derived from A's identity key only. */
    public static NodeId keyOf(byte[] identityKey) {
        return SignedValue.keyOf(identityKey, NAME);
    }

    public SignedValue sign(Identity owner) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + X25519.KEY_BYTES + 1 + entries.size() * (HopCodec.BYTES + 4));
        b.put(VERSION).putLong(expiresAtMillis).put(signalKey).put((byte) entries.size());
        for (EntryPoint e : entries) {
            HopCodec.put(b, e.hop());
            b.putInt(e.entryId());
        }
        return SignedValue.sign(owner, NAME, issuedAtMillis, b.array());
    }

    /**
     * The contact data in {@code value} if it is the owner's (signed by {@code ownerKey}, under its
     * name), well formed, and not expired at {@code nowMillis}.
     */
    public static ContactData open(SignedValue value, byte[] ownerKey, long nowMillis) throws BadContact {
        if (!Arrays.equals(value.publicKey(), ownerKey) || !Arrays.equals(value.name(), NAME) || !value.verify()) {
            throw new BadContact(BadContact.Reason.FORGED, "contact data not signed by the owner's identity key");
        }
        ContactData data = decode(value.data(), value.seq());
        if (data.expiresAtMillis <= nowMillis) {
            throw new BadContact(BadContact.Reason.EXPIRED, "contact data expired " + (nowMillis - data.expiresAtMillis) + " ms ago");
        }
        return data;
    }

    private static ContactData decode(byte[] bytes, long issuedAt) throws BadContact {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != VERSION) {
                throw new BadContact(BadContact.Reason.MALFORMED, "contact data of an unknown version");
            }
            long expires = b.getLong();
            byte[] signalKey = new byte[X25519.KEY_BYTES];
            b.get(signalKey);
            int count = b.get() & 0xff;
            if (count == 0 || count > MAX_ENTRIES || b.remaining() != count * (HopCodec.BYTES + 4)) {
                throw new BadContact(BadContact.Reason.MALFORMED, "contact data with " + count + " entry points in "
                        + bytes.length + " bytes");
            }
            List<EntryPoint> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                entries.add(new EntryPoint(HopCodec.get(b), b.getInt()));
            }
            return new ContactData(entries, signalKey, issuedAt, expires);
        } catch (BufferUnderflowException | MalformedCell e) {
            throw new BadContact(BadContact.Reason.MALFORMED, "contact data: " + e.getMessage());
        }
    }
}
