package dev.d2r2.cluster.command;

import java.io.IOException;

/**
 * Bytes that are not a canonical {@link ControlCommand} (or control-state snapshot): refused
 * with this reason, never applied. An {@link IOException} so that Ratis hands it back to the
 * client that submitted the bytes.
 */
public final class MalformedCommandException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedCommandException(String message) {
        super(message);
    }
}
