package dev.d2r2.core.config;

/** A configuration that cannot be used; the message starts with {@code file:line:col:}. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
