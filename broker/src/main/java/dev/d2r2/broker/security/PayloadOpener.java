package dev.d2r2.broker.security;

import dev.d2r2.broker.Protection;
import dev.d2r2.broker.wire.Envelope;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;

/** Recovers the plain payload of a delivered envelope (decrypts PKE). Not thread-safe. */
public final class PayloadOpener {
    private final byte[] channelPrefix;
    private final byte[] channelKey;
    private Cipher cipher;

    public PayloadOpener(String channel, byte[] channelKey) {
        this.channelPrefix = Envelope.channelPrefix(channel);
        this.channelKey = channelKey;
    }

    /** The plain payload, or null when a PKE payload does not decrypt under the channel key. */
    public byte[] open(Envelope e) {
        if (e.protection() != Protection.PKE) {
            return e.payload();
        }
        if (channelKey == null) {
            return null;
        }
        try {
            if (cipher == null) {
                cipher = Crypto.aesGcm();
            }
            cipher.init(Cipher.DECRYPT_MODE, Crypto.aesKey(channelKey), Crypto.gcmSpec(e.nonce()));
            cipher.updateAAD(channelPrefix);
            return cipher.doFinal(e.payload());
        } catch (GeneralSecurityException ex) {
            return null;
        }
    }
}
