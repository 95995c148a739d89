package dev.d2r2.p2psip.auth;

import java.util.Map;

/**
 * The authentication server's counters at one moment.
 *
 * @param requests     datagrams received
 * @param issued       certificates issued
 * @param refused      requests refused, by reason (each answered with an error)
 * @param inboxFull    datagrams dropped because the server's inbox was full
 * @param sendFailures answers that could not be sent
 */
public record AsStatus(long requests, long issued, Map<Refusal, Long> refused, long inboxFull, long sendFailures) {
    public long refusedTotal() {
        return refused.values().stream().mapToLong(Long::longValue).sum();
    }
}
