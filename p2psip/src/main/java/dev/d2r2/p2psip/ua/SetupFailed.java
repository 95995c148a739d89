package dev.d2r2.p2psip.ua;

import dev.d2r2.p2psip.contact.ContactData;

import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A {@link UserAgent#call} that got no answer by its deadline, with what each send of the request did: the
 * cause of a failure under churn is in which copy of the callee's contact data it used and where it went.
 */
public final class SetupFailed extends TimeoutException {
    /** Where a copy of the callee's contact data used by a send came from. */
    public enum Copy {
        /** the copy held when the attempt began (cached, or the envelope the callee last sent named) */
        HELD,
        /** a copy looked up for this attempt, newer than the one held */
        LOOKED_UP
    }

    /**
     * One send of the request.
     *
     * @param attempt     0 for the first, then each retry after a time-out without an answer
     * @param copy        where its contact data came from
     * @param issuedAtMillis when the callee issued that copy (its own clock)
     * @param ageMillis   the copy's age when sent
     * @param route       the outbound tunnel and the callee's entry point it went through
     * @param tunnelOpen  whether that tunnel stood when the request was handed to it
     */
    public record Send(int attempt, Copy copy, long issuedAtMillis, long ageMillis, Route route, boolean tunnelOpen) {
        @Override
        public String toString() {
            return "attempt " + attempt + ": " + copy + " copy " + ageMillis + " ms old → entry " + route.entry().hop() + " #"
                    + route.entry().entryId() + " through " + route.outbound().path() + (tunnelOpen ? "" : " (closed, waiting for its rebuild)");
        }
    }

    private final List<Send> sends;
    private final int lookupFailures;

    SetupFailed(long deadlineMillis, List<Send> sends, int lookupFailures) {
        super("no answer within " + deadlineMillis + " ms after " + sends.size() + " sends" + (lookupFailures > 0 ? " and "
                + lookupFailures + " lookups that found no contact data" : "") + (sends.isEmpty() ? "" : ": "
                + sends.stream().map(Send::toString).collect(Collectors.joining("; "))));
        this.sends = List.copyOf(sends);
        this.lookupFailures = lookupFailures;
    }

    public List<Send> sends() {
        return sends;
    }

    /** Lookups of the callee's contact data, for this call, that found none (timed out over every tunnel, or refused). */
    public int lookupFailures() {
        return lookupFailures;
    }

    static Send send(int attempt, Copy copy, ContactData data, long now, Route route) {
        return new Send(attempt, copy, data.issuedAtMillis(), now - data.issuedAtMillis(), route, !route.outbound().closed().isDone());
    }
}
