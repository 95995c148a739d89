package dev.d2r2.broker.security;

import dev.d2r2.broker.wire.Envelope;

import javax.crypto.Mac;

/**
 * Checks the seal of envelopes from one publisher. One per publishing connection; not
 * thread-safe (it reuses its MAC and signature objects).
 */
public final class SealVerifier {
    private final Identity publisher;
    private Mac mac;
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
        byte[] seal = e.seal();
        return switch (e.protection()) {
            case SI -> seal.length == 0;
            case HA -> {
                if (mac == null) {
                    mac = Crypto.hmac(publisher.secret());
                }
                mac.update(channelPrefix);
                mac.update(bytes, start, prefix);
                yield Crypto.constantTimeEquals(mac.doFinal(), seal);
            }
            case PKS, PKE -> verifySignature(channelPrefix, bytes, start, prefix, seal);
        };
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
