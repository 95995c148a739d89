package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import dev.d2r2.core.agent.Agent;
import dev.d2r2.sip.server.SipServer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dialog table: for each established dialog (its INVITE answered 2xx) by Call-ID, its backend,
 * since when, and whether the caller's ACK passed. A dialog ends with its BYE's 2xx, or is swept
 * when older than the dialog timeout ({@code dialogs.timed_out}) or when its 2xx was never
 * acknowledged within the ACK timeout (swept on its own agent's timer) ({@code dialogs.unacknowledged}: a flood does not ACK,
 * and RFC 3261 §13.3.1.4 has the server give up then).
 */
final class Dialogs implements Agent {
    /** A dialog: its backend, when its INVITE's 2xx passed, and whether the caller's ACK did too. */
    private static final class Dialog {
        final Backend backend;
        final long since;
        /** Set once, by the receive loop that passes the ACK: no new entry per ACK. */
        volatile boolean confirmed;

        Dialog(Backend backend, long since, boolean confirmed) {
            this.backend = backend;
            this.since = since;
            this.confirmed = confirmed;
        }
    }

    private final Map<CallId, Dialog> table = new ConcurrentHashMap<>();
    private final Clock clock;
    private final EdgeCounters counters;
    private final BackendSet backends;
    private volatile long dialogTimeoutMs = 2 * 3_600_000L;
    private volatile long ackTimeoutMs = SipServer.ACK_TIMEOUT_MS;
    private long lastSweep;

    Dialogs(Clock clock, EdgeCounters counters, BackendSet backends) {
        this.clock = clock;
        this.counters = counters;
        this.backends = backends;
    }

    void dialogTimeoutMs(long ms) {
        dialogTimeoutMs = ms;
    }

    void ackTimeoutMs(long ms) {
        ackTimeoutMs = ms;
    }

    /** How often {@link #sweep} should run: every second, or a tenth of the shorter timeout. */
    long sweepEveryMs() {
        return Math.min(1000, Math.max(10, Math.min(dialogTimeoutMs, ackTimeoutMs) / 10));
    }

    @Override
    public String roleName() {
        return "edge-dialogs";
    }

    @Override
    public void onStart() {
        lastSweep = clock.millis();
    }

    @Override
    public void onMessage(Object message) {
    }

    @Override
    public long nextDueMillis() {
        return lastSweep + sweepEveryMs();
    }

    @Override
    public void onTimer(long now) {
        lastSweep = now;
        sweep(now);
    }

    int size() {
        return table.size();
    }

    /** The backend of the dialog {@code callId}, or null. */
    Backend backendOf(CallId callId) {
        Dialog d = table.get(callId);
        return d == null ? null : d.backend;
    }

    /** The caller's ACK for {@code callId} passed. */
    void confirm(CallId callId) {
        Dialog d = table.get(callId);
        if (d != null) {
            d.confirmed = true;
        }
    }

    /** An INVITE's 2xx from {@code backend} passed: the dialog starts (once). */
    void started(CallId callId, Backend backend) {
        if (!table.containsKey(callId) && table.putIfAbsent(callId.copy(), new Dialog(backend, clock.millis(), false)) == null) {
            backend.dialogs.incrementAndGet();
            backend.dialogsStarted.increment();
            counters.count(EdgeCounter.DIALOGS_STARTED);
        }
    }

    /** The dialogs of {@code from} are {@code to}'s now (the backend moved). */
    void rehome(Backend from, Backend to) {
        table.replaceAll((callId, d) -> {
            if (d.backend != from) {
                return d;
            }
            from.dialogs.decrementAndGet();
            to.dialogs.incrementAndGet();
            return new Dialog(to, d.since, d.confirmed);
        });
    }

    /** A BYE's 2xx passed: the dialog ends. */
    void ended(CallId callId) {
        Dialog d = table.remove(callId);
        if (d != null) {
            counters.count(EdgeCounter.DIALOGS_ENDED);
            backends.released(d.backend, "its last dialog ended");
        }
    }

    /** Ends the dialogs past their timeouts at {@code now}. */
    void sweep(long now) {
        long cutoff = now - dialogTimeoutMs;
        long unacknowledged = now - ackTimeoutMs;
        table.forEach((callId, d) -> {
            boolean stale = d.since < cutoff;
            boolean unconfirmed = !d.confirmed && d.since < unacknowledged;
            if ((stale || unconfirmed) && table.remove(callId, d)) {
                counters.count(stale ? EdgeCounter.DIALOGS_TIMED_OUT : EdgeCounter.DIALOGS_UNACKNOWLEDGED);
                backends.released(d.backend, stale ? "its last dialog timed out" : "its last dialog was never acknowledged");
            }
        });
    }
}
