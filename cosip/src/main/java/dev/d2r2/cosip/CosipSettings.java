package dev.d2r2.cosip;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A CoSIP proxy's configuration.
 *
 * @param listen          the address its user agents send to (loopback by default on the CLI)
 * @param peerListen      the address the provider and other CoSIP proxies reach it at; written into Contact
 *                        headers and the DHT, so a concrete host, not a wildcard
 * @param server          the SIP provider (registrar and proxy)
 * @param domain          the provider's domain: AORs are {@code sip:user@domain}
 * @param probeInterval   how often the provider is sent an OPTIONS probe (each must be answered before the next)
 * @param downAfter       probes missed in a row before the provider counts as down and calls go through the DHT
 * @param upAfter         probes answered in a row before new calls go through the provider again
 * @param p2pCallsPerMinute the own user's new calls allowed per minute while in P2P mode
 * @param p2pBurst        calls allowed at once from a full bucket
 * @param maxCalls        calls tracked at once; beyond, new calls get 503
 * @param authWindow      how far a signed call's time may be from ours
 * @param providerKey     the provider's public key: calls through the DHT are authenticated with the credentials it
 *                        issues ({@link Credential}); null: with the {@link Roster}
 * @param revocationsEvery how often the provider's {@link Revocations} list is read from the DHT (also at start
 *                        and on switching to P2P mode): the longest a revocation takes to reach this proxy
 */
public record CosipSettings(InetSocketAddress listen, InetSocketAddress peerListen, InetSocketAddress server, String domain,
                            Duration probeInterval, int downAfter, int upAfter, double p2pCallsPerMinute, int p2pBurst,
                            int maxCalls, Duration authWindow, byte[] providerKey, Duration revocationsEvery) {

    public static CosipSettings defaults(InetSocketAddress listen, InetSocketAddress peerListen, InetSocketAddress server, String domain) {
        return new CosipSettings(listen, peerListen, server, domain, Duration.ofMillis(500), 2, 2, 6, 3, 1024, Duration.ofSeconds(30), null, Duration.ofMinutes(1));
    }

    public CosipSettings withP2pRate(double perMinute, int burst) {
        return new CosipSettings(listen, peerListen, server, domain, probeInterval, downAfter, upAfter, perMinute, burst, maxCalls, authWindow, providerKey, revocationsEvery);
    }

    public CosipSettings withProvider(byte[] key) {
        return new CosipSettings(listen, peerListen, server, domain, probeInterval, downAfter, upAfter, p2pCallsPerMinute, p2pBurst, maxCalls,
                authWindow, key.clone(), revocationsEvery);
    }

    public CosipSettings withRevocationsEvery(Duration every) {
        return new CosipSettings(listen, peerListen, server, domain, probeInterval, downAfter, upAfter, p2pCallsPerMinute, p2pBurst, maxCalls,
                authWindow, providerKey, every);
    }

    public CosipSettings withProbes(Duration interval, int down, int up) {
        return new CosipSettings(listen, peerListen, server, domain, interval, down, up, p2pCallsPerMinute, p2pBurst, maxCalls, authWindow, providerKey, revocationsEvery);
    }
}
