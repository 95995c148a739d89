package dev.d2r2.p2psip.tunnel;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;

/**
 * The body of {@link CellType#FORWARD}, {@link CellType#BACKWARD} and {@link CellType#ENTER} cells:
 * <pre>
 *  | tag slots: MAX_HOPS x 16 bytes (128) | payload (891), one AES-GCM layer per hop |
 * </pre>
 * AES-GCM does not change the payload's length; each layer's tag sits in a slot of its own.
 * Forward, the origin seals the layers innermost (last hop) first and puts hop i's tag in slot i;
 * a hop verifies and removes its layer with the tag in slot 0, shifts the slots left and puts
 * random bytes in the last one. Backward, a hop adds its layer and pushes its tag into slot 0,
 * shifting the others right; the origin removes the layers in path order. Unused slots hold
 * random bytes, which look like tags, so neither the size nor the slots tell a hop its position.
 */
public final class DataCell {
    static final int SLOTS_BYTES = SetupOnion.MAX_HOPS * Gcm.TAG_BYTES;
    public static final int PAYLOAD_BYTES = Cell.BODY_BYTES - SLOTS_BYTES;

    private DataCell() {
    }

    /** The origin's forward cell: {@code keys} in path order, {@code sequence} the tunnel's forward count. */
    public static byte[] sealForward(List<LayerKeys> keys, long sequence, Payload payload, SecureRandom random) {
        byte[] body = new byte[Cell.BODY_BYTES];
        random.nextBytes(body);
        System.arraycopy(payload.encode(), 0, body, SLOTS_BYTES, PAYLOAD_BYTES);
        for (int i = keys.size() - 1; i >= 0; i--) {
            LayerKeys k = keys.get(i);
            byte[] tag = Gcm.seal(k.forwardKey(), Gcm.nonce(k.forwardSalt(), sequence), body, SLOTS_BYTES, PAYLOAD_BYTES);
            System.arraycopy(tag, 0, body, i * Gcm.TAG_BYTES, Gcm.TAG_BYTES);
        }
        return body;
    }

    /** A hop removes its forward layer in place; the payload is plain if it is the last hop. */
    public static void peel(LayerKeys k, long sequence, byte[] body, SecureRandom random) throws MalformedCell {
        byte[] tag = new byte[Gcm.TAG_BYTES];
        System.arraycopy(body, 0, tag, 0, Gcm.TAG_BYTES);
        try {
            Gcm.open(k.forwardKey(), Gcm.nonce(k.forwardSalt(), sequence), body, SLOTS_BYTES, PAYLOAD_BYTES, tag);
        } catch (GeneralSecurityException e) {
            throw new MalformedCell(Refusal.BAD_LAYER, "forward layer does not verify");
        }
        System.arraycopy(body, Gcm.TAG_BYTES, body, 0, SLOTS_BYTES - Gcm.TAG_BYTES);
        byte[] filler = new byte[Gcm.TAG_BYTES];
        random.nextBytes(filler);
        System.arraycopy(filler, 0, body, SLOTS_BYTES - Gcm.TAG_BYTES, Gcm.TAG_BYTES);
    }

    /** The last hop's backward cell around {@code payload}, before it adds its own layer with {@link #wrap}. */
    public static byte[] startBackward(Payload payload, SecureRandom random) {
        byte[] body = new byte[Cell.BODY_BYTES];
        random.nextBytes(body);
        System.arraycopy(payload.encode(), 0, body, SLOTS_BYTES, PAYLOAD_BYTES);
        return body;
    }

    /** A hop adds its backward layer in place. */
    public static void wrap(LayerKeys k, long sequence, byte[] body) {
        byte[] tag = Gcm.seal(k.backwardKey(), Gcm.nonce(k.backwardSalt(), sequence), body, SLOTS_BYTES, PAYLOAD_BYTES);
        System.arraycopy(body, 0, body, Gcm.TAG_BYTES, SLOTS_BYTES - Gcm.TAG_BYTES);
        System.arraycopy(tag, 0, body, 0, Gcm.TAG_BYTES);
    }

    /** The origin removes every backward layer ({@code keys} in path order) and reads the payload. */
    public static Payload openBackward(List<LayerKeys> keys, long sequence, byte[] body) throws MalformedCell {
        byte[] work = body.clone();
        byte[] tag = new byte[Gcm.TAG_BYTES];
        for (int i = 0; i < keys.size(); i++) {
            LayerKeys k = keys.get(i);
            System.arraycopy(work, i * Gcm.TAG_BYTES, tag, 0, Gcm.TAG_BYTES);
            try {
                Gcm.open(k.backwardKey(), Gcm.nonce(k.backwardSalt(), sequence), work, SLOTS_BYTES, PAYLOAD_BYTES, tag);
            } catch (GeneralSecurityException e) {
                throw new MalformedCell(Refusal.BAD_LAYER, "backward layer " + (i + 1) + " does not verify");
            }
        }
        return Payload.decode(payloadOf(work));
    }

    /** The plain payload of a cell whose layers are all removed (the last hop's forward view). */
    static Payload plain(byte[] body) throws MalformedCell {
        return Payload.decode(payloadOf(body));
    }

    private static byte[] payloadOf(byte[] body) {
        byte[] p = new byte[PAYLOAD_BYTES];
        System.arraycopy(body, SLOTS_BYTES, p, 0, PAYLOAD_BYTES);
        return p;
    }
}
