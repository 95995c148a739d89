package dev.d2r2.broker;

/** A refusal or failure reported by the broker, with a code a program can act on. */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public BrokerException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public BrokerException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** The message without its code: what the wire carries next to the code. */
    public String reason() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        return code.name().toLowerCase() + ": " + super.getMessage();
    }
}
