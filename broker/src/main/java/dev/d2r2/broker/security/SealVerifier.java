package dev.d2r2.broker.security;

import dev.d2r2.broker.wire.Envelope;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * Checks the seal of envelopes from one publisher. One per publishing connection; not
 * thread-safe (it reuses its MAC and signature objects).
 */
public final class SealVerifier {
    private final Identity publisher;
    private Mac mac;
    /** The HMAC computed for the envelope at hand, reused: no garbage per event. */
    private byte[] expected;
    private Ed25519 ed25519;
    private org.bouncycastle.crypto.params.Ed25519PublicKeyParameters publicKey;

    public SealVerifier(Identity publisher) {
        this.publisher = publisher;
    }

    /** True when the envelope's seal is what its protection requires for this channel. */
    public boolean verify(byte[] channelPrefix, Envelope e) {
        byte[] bytes = e.array();
        int start = e.offset();
        int prefix = e.sealStart();
        return switch (e.protection()) {
            case SI -> e.length() == prefix + 2;
            case HA -> verifyMac(channelPrefix, bytes, start, prefix, e.length());
            case PKS, PKE -> verifySignature(channelPrefix, bytes, start, prefix, e.seal());
        };
    }

    private boolean verifyMac(byte[] channelPrefix, byte[] bytes, int start, int prefix, int length) {
        if (mac == null) {
            mac = Crypto.hmac(publisher.secret());
            expected = new byte[mac.getMacLength()];
        }
        mac.update(channelPrefix);
        mac.update(bytes, start, prefix);
        try {
            mac.doFinal(expected, 0);
        } catch (ShortBufferException x) {
            throw new IllegalStateException("HMAC output larger than its length", x);
        }
        int sealAt = start + prefix + 2;
        return Crypto.constantTimeEquals(expected, bytes, sealAt, start + length - sealAt);
    }

    private boolean verifySignature(byte[] channelPrefix, byte[] bytes, int start, int prefix, byte[] seal) {
        if (publisher.signingKey() == null) {
            return false;
        }
        if (ed25519 == null) {
            ed25519 = new Ed25519();
            publicKey = Ed25519.publicKey(publisher.signingKey());
        }
        return ed25519.verify(publicKey, channelPrefix, bytes, start, prefix, seal);
    }
}
