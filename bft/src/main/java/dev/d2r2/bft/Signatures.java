package dev.d2r2.bft;

/**
 * One replica's signing key and every member's verification key. Not thread-safe: one instance
 * per replica, used on the replica's thread.
 */
public interface Signatures {
    /** Signs {@code message} with this replica's key. */
    byte[] sign(byte[] message);

    /** Whether {@code signature} is {@code signer}'s over {@code message}; false for an unknown signer. */
    boolean verify(int signer, byte[] message, byte[] signature);
}
