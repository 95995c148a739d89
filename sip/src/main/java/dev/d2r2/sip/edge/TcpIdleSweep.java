package dev.d2r2.sip.edge;

import dev.d2r2.core.agent.Agent;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Closes clients' TCP connections idle for longer than the {@link TcpLimits#idleTimeout()}, as an
 * agent on the edge's clock: it wakes when the connection idle the longest reaches the limit
 * (never more often than a hundredth of the limit, nor than every 10 ms), closes those that have,
 * and counts them ({@code tcp.closed_idle}).
 */
final class TcpIdleSweep implements Agent {
    private final Collection<TcpConnection> connections;
    private final Supplier<TcpLimits> limits;
    private final EdgeCounters counters;
    private long nextDue;

    TcpIdleSweep(Collection<TcpConnection> connections, Supplier<TcpLimits> limits, EdgeCounters counters) {
        this.connections = connections;
        this.limits = limits;
        this.counters = counters;
    }

    @Override
    public String roleName() {
        return "edge-tcp-idle";
    }

    /** The limits changed: sweep now, so the next wake follows the new idle timeout. */
    @Override
    public void onMessage(Object message) {
        nextDue = 0;
    }

    @Override
    public long nextDueMillis() {
        return nextDue;
    }

    @Override
    public void onTimer(long now) {
        long idleMs = limits.get().idleTimeout().toMillis();
        long next = now + idleMs;
        for (TcpConnection c : connections) {
            long deadline = c.lastActiveMs + idleMs;
            if (deadline <= now) {
                if (c.channel.isOpen()) {
                    c.close();
                    counters.count(EdgeCounter.TCP_CLOSED_IDLE);
                }
            } else if (deadline < next) {
                next = deadline;
            }
        }
        nextDue = Math.max(next, now + Math.max(10, idleMs / 100));
    }
}
