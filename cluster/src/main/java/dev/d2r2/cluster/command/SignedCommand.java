package dev.d2r2.cluster.command;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.cluster.state.ControlState;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A {@link ControlCommand} signed by an administrator, as a Byzantine cluster orders it: every
 * replica checks the signature itself, so no replica can order a control command on its own
 * authority. The form, after a marker of two zero bytes (an ordered channel's event starts with
 * its tag's non-zero length, so the two never mix in a block):
 *
 * <pre>
 *   0x00 0x00 | version (1 byte, {@value #VERSION}) | signer (string) | nonce (bytes, {@value #NONCE_BYTES})
 *             | command (bytes, its {@link CommandCodec} form) | signature (bytes, Ed25519, 64)
 * </pre>
 *
 * The signature covers {@code "d2r2 control command"}, the cluster's group and every byte
 * before the signature, so a command signed for one cluster is refused by another. The nonce,
 * drawn by the signer, makes each signed command unique: a replica applies a (signer, nonce)
 * once.
 */
public record SignedCommand(String signer, byte[] nonce, byte[] command, byte[] signature) {
    public static final int VERSION = 1;
    public static final int NONCE_BYTES = 16;
    private static final int SIGNATURE_BYTES = 64;
    private static final String DOMAIN = "d2r2 control command";

    /** {@code command} signed by administrator {@code signer} for cluster {@code group}, encoded. */
    public static byte[] sign(String group, String signer, PrivateKey key, ControlCommand command) {
        Identity.validateName(signer);
        byte[] body = body(signer, Crypto.randomBytes(NONCE_BYTES), CommandCodec.encode(command));
        byte[] signature;
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message(group, body));
            signature = s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
        return concat(body, new CanonicalWriter().bytes(signature).toByteArray());
    }

    /** Whether {@code bytes} are meant as a signed control command (they may still be malformed). */
    public static boolean isSigned(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == 0 && bytes[1] == 0;
    }

    /** Reads the form {@link #sign} writes; anything else is refused. The signature is not checked here. */
    public static SignedCommand decode(byte[] bytes) throws MalformedCommandException {
        CanonicalReader r = new CanonicalReader(bytes, "signed control command");
        if (r.u8() != 0 || r.u8() != 0) {
            throw r.malformed("no signed-command marker");
        }
        int version = r.u8();
        if (version != VERSION) {
            throw r.malformed("version " + version + ", this replica reads version " + VERSION);
        }
        String signer = r.string();
        try {
            Identity.validateName(signer);
        } catch (IllegalArgumentException e) {
            throw r.malformed(e.getMessage());
        }
        byte[] nonce = r.bytes();
        if (nonce == null || nonce.length != NONCE_BYTES) {
            throw r.malformed("the nonce must have " + NONCE_BYTES + " bytes");
        }
        byte[] command = r.bytes();
        if (command == null) {
            throw r.malformed("no command");
        }
        byte[] signature = r.bytes();
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            throw r.malformed("the signature must have " + SIGNATURE_BYTES + " bytes");
        }
        r.end();
        return new SignedCommand(signer, nonce, command, signature);
    }

    /** The command itself; malformed bytes are refused as the Raft log refuses them. */
    public ControlCommand decodeCommand() throws MalformedCommandException {
        return CommandCodec.decode(command);
    }

    /** Whether the signature is {@code key}'s over this command for cluster {@code group}. */
    public boolean signedBy(String group, PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message(group, body(signer, nonce, command)));
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** What makes this command unique: the signer and its nonce. */
    public String nonceKey() {
        return signer + ":" + HexFormat.of().formatHex(nonce);
    }

    /** SHA-256 of a signed command's bytes, in hex: the same bytes decided anywhere have the same id. */
    public static String id(byte[] bytes) {
        return ControlState.digest(bytes);
    }

    private static byte[] body(String signer, byte[] nonce, byte[] command) {
        return new CanonicalWriter().u8(0).u8(0).u8(VERSION).string(signer).bytes(nonce).bytes(command).toByteArray();
    }

    private static byte[] message(String group, byte[] body) {
        return new CanonicalWriter().string(DOMAIN).string(group).bytes(body).toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
