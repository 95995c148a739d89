package dev.d2r2.migrate.dns;

/** A DNS message that could not be parsed, or an answer that does not fit the request. */
public final class BadDnsMessage extends Exception {
    public BadDnsMessage(String message) {
        super(message);
    }
}
