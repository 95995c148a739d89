package dev.d2r2.broker.security;

import dev.d2r2.broker.Protection;
import dev.d2r2.broker.wire.Envelope;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;

/**
 * Seals a publisher's events for one channel according to the channel's protection. One per
 * publisher; not thread-safe (it reuses its MAC, signature and cipher objects).
 */
public final class ChannelSealer {
    private final String channel;
    private final Protection protection;
    private final String publisher;
    private final byte[] channelPrefix;
    private final byte[] channelKey;
    private final Envelope.Sealer sealer;
    private final Cipher cipher;

    public ChannelSealer(String channel, Protection protection, String publisher, byte[] secret,
                         PrivateKey signingKey, byte[] channelKey) {
        this.channel = channel;
        this.protection = protection;
        this.publisher = publisher;
        this.channelPrefix = Envelope.channelPrefix(channel);
        this.channelKey = channelKey;
        this.sealer = switch (protection) {
            case SI -> Envelope.Sealer.NONE;
            case HA -> macSealer(Crypto.hmac(secret));
            case PKS, PKE -> signatureSealer(signingKey);
        };
        if (protection == Protection.PKE && (channelKey == null || channelKey.length != Crypto.SECRET_BYTES)) {
            throw new IllegalArgumentException("a PKE channel needs its 256-bit channel key");
        }
        this.cipher = protection == Protection.PKE ? Crypto.aesGcm() : null;
    }

    /** The publisher whose events this seals. */
    public String publisher() {
        return publisher;
    }

    public Protection protection() {
        return protection;
    }

    public Envelope seal(long sequence, long timeMillis, byte[] payload) {
        byte[] nonce = new byte[0];
        byte[] carried = payload;
        if (protection == Protection.PKE) {
            nonce = Crypto.randomBytes(Crypto.NONCE_BYTES);
            carried = encrypt(nonce, payload);
        }
        return Envelope.build(channel, protection, publisher, sequence, timeMillis, nonce, carried, sealer);
    }

    private byte[] encrypt(byte[] nonce, byte[] plain) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, Crypto.aesKey(channelKey), Crypto.gcmSpec(nonce));
            cipher.updateAAD(channelPrefix);
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    private static Envelope.Sealer macSealer(Mac mac) {
        return new Envelope.Sealer() {
            @Override
            public int sealLength() {
                return mac.getMacLength();
            }

            @Override
            public byte[] seal(byte[] channelPrefix, byte[] buf, int off, int len) {
                mac.update(channelPrefix);
                mac.update(buf, off, len);
                return mac.doFinal();
            }
        };
    }

    private static Envelope.Sealer signatureSealer(PrivateKey key) {
        if (key == null) {
            throw new IllegalArgumentException("a PKS/PKE channel needs the publisher's signing key");
        }
        Ed25519 ed25519 = new Ed25519();
        var raw = Ed25519.privateKey(key);
        return new Envelope.Sealer() {
            @Override
            public int sealLength() {
                return Ed25519.SIGNATURE_BYTES;
            }

            @Override
            public byte[] seal(byte[] channelPrefix, byte[] buf, int off, int len) {
                return ed25519.sign(raw, channelPrefix, buf, off, len);
            }
        };
    }
}
