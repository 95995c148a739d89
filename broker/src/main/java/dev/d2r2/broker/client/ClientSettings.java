package dev.d2r2.broker.client;

import dev.d2r2.core.Clock;

import java.time.Duration;

/**
 * How a {@link RemoteBrokerClient} behaves: its publish {@code linger} (see
 * {@link RemoteBrokerClient#connect(dev.d2r2.broker.security.IdentityFile, java.util.List, ClientSettings)}),
 * its failover policy and listener, and the clock its failover measures patience with.
 */
public record ClientSettings(Duration linger, FailoverPolicy failover, FailoverListener listener, Clock clock) {
    public static final ClientSettings DEFAULT = new ClientSettings(Duration.ZERO, FailoverPolicy.DEFAULT,
            FailoverListener.NONE, Clock.system());

    public ClientSettings withLinger(Duration d) {
        return new ClientSettings(d, failover, listener, clock);
    }

    public ClientSettings withFailover(FailoverPolicy p) {
        return new ClientSettings(linger, p, listener, clock);
    }

    public ClientSettings withListener(FailoverListener l) {
        return new ClientSettings(linger, failover, l, clock);
    }

    public ClientSettings withClock(Clock c) {
        return new ClientSettings(linger, failover, listener, c);
    }
}
