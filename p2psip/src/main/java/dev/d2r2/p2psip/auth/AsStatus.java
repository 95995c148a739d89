package dev.d2r2.p2psip.auth;

import dev.d2r2.p2psip.events.AuthServerStatus;

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
    public AuthServerStatus event(long time, String server) {
        return new AuthServerStatus(time, server, requests, issued, count(Refusal.MALFORMED), count(Refusal.UNKNOWN_USER),
                count(Refusal.BAD_MAC), count(Refusal.STALE), count(Refusal.REPLAYED), count(Refusal.BAD_PROOF), count(Refusal.QUOTA));
    }

    private long count(Refusal r) {
        return refused.getOrDefault(r, 0L);
    }

    public long refusedTotal() {
        return refused.values().stream().mapToLong(Long::longValue).sum();
    }
}
