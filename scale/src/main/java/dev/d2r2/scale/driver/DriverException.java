package dev.d2r2.scale.driver;

/** A driver could not do what it was asked; the message says why (it becomes the action's failure reason). */
public final class DriverException extends Exception {
    private static final long serialVersionUID = 1L;

    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
