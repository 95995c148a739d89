package dev.d2r2.migrate.dns;

/** A DNS UPDATE that did not take: no answer, a refusal (with its RCODE), or an answer that could not be trusted. */
public final class DnsUpdateException extends Exception {
    public DnsUpdateException(String message) {
        super(message);
    }
}
