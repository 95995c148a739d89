package dev.d2r2.p2psip.ua;

import dev.d2r2.overlay.kad.Identity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A signalling message as it leaves the caller's outbound tunnel for the callee's entry point:
 * the sender's identity key, its signature over the recipient's key and the message, and the
 * message (a SIP message from the SIP face). The signature lets the callee refuse a message
 * that claims a sender it does not come from; the recipient's key in it keeps a message from
 * being redirected to someone else.
 * <pre>sender identity key (32) · Ed25519 signature (64) · message</pre>
 */
record SignalEnvelope(byte[] sender, byte[] message) {
    private static final byte[] DOMAIN = "d2r2-p2psip-signal-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 32 + 64;

    static byte[] seal(Identity sender, byte[] recipient, byte[] message) {
        byte[] signature = sender.sign(signed(recipient, message));
        return ByteBuffer.allocate(HEADER + message.length).put(sender.publicKey()).put(signature).put(message).array();
    }

    /** @throws IllegalArgumentException if the bytes are too short or the signature does not check */
    static SignalEnvelope open(byte[] bytes, byte[] recipient) {
        if (bytes.length <= HEADER) {
            throw new IllegalArgumentException("a signalling message of " + bytes.length + " bytes");
        }
        byte[] sender = Arrays.copyOf(bytes, 32);
        byte[] message = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        if (!Identity.verify(sender, signed(recipient, message), Arrays.copyOfRange(bytes, 32, HEADER))) {
            throw new IllegalArgumentException("a signalling message whose signature does not check");
        }
        return new SignalEnvelope(sender, message);
    }

    /** The most message bytes one envelope carries through an exit into an entry point. */
    static int maxMessage(int tunnelData) {
        return tunnelData - HEADER;
    }

    private static byte[] signed(byte[] recipient, byte[] message) {
        return ByteBuffer.allocate(DOMAIN.length + recipient.length + message.length).put(DOMAIN).put(recipient).put(message).array();
    }
}
