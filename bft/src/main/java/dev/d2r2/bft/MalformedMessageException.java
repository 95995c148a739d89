package dev.d2r2.bft;

/** Bytes that are not a valid encoded {@link Msg}; the message says what is wrong and where. */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }
}
