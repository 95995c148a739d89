package dev.d2r2.core.probe;

/** The target did not answer (refused, timed out, bad reply). */
public final class ProbeException extends Exception {
    public ProbeException(String message) {
        super(message);
    }

    public ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
