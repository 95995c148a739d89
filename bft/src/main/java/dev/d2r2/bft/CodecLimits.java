package dev.d2r2.bft;

/**
 * Bounds the decoder enforces before allocating, so that a hostile length field cannot make a
 * replica allocate more than a legitimate message would.
 *
 * @param maxCommands       commands in one block
 * @param maxCommandBytes   bytes in one command
 * @param maxSignatureBytes bytes in one signature
 * @param maxSigners        signatures in one certificate
 * @param maxStateBytes     bytes in a checkpoint's applied record, and in its application state
 */
public record CodecLimits(int maxCommands, int maxCommandBytes, int maxSignatureBytes, int maxSigners,
                          int maxStateBytes) {
    public static final CodecLimits DEFAULTS = new CodecLimits(10_000, 1 << 20, 128, 1_000, 16 << 20);
}
