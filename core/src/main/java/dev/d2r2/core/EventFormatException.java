package dev.d2r2.core;

/** An event that cannot be decoded; the message says where ({@code col N}) and why. */
public final class EventFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public EventFormatException(String message) {
        super(message);
    }
}
