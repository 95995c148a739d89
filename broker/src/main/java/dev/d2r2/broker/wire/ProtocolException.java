package dev.d2r2.broker.wire;

/** Bytes that break the wire format; the connection that sent them is answered and closed. */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
