package dev.d2r2.monitor;

import java.time.Duration;

/**
 * Interchangeable monitoring peers: {@code d2r2 monitor} processes with the same config and
 * this section form a group on {@code channel}; each service is probed by exactly one live peer.
 *
 * <pre>
 * peers:
 *   channel: monitor-peers    # heartbeats (default monitor-peers)
 *   heartbeat: 1s             # a peer silent for 2 heartbeats is gone (default 1s)
 * </pre>
 */
public record PeersConfig(String channel, Duration heartbeat) {
    public static final String DEFAULT_CHANNEL = "monitor-peers";
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);

    public PeersConfig {
        channel = channel == null ? DEFAULT_CHANNEL : channel;
        heartbeat = heartbeat == null ? DEFAULT_HEARTBEAT : heartbeat;
        if (heartbeat.toMillis() < 10) {
            throw new IllegalArgumentException("heartbeat must be at least 10ms");
        }
    }

    /** How long a silent peer is still counted live. */
    Duration timeout() {
        return heartbeat.multipliedBy(2);
    }
}
