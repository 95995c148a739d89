package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.path.MhConfig;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * An encapsulation node's configuration ({@code d2r2 tunnel en --config F}).
 *
 * <pre>
 * name: en1
 * tunnel: 1                  # the tunnel id (GRE key); each EN has its own
 * key: tunnel.key            # the master key file (d2r2 tunnel keygen), relative to this file; or
 * identity: en1.identity     # the EN's d2r2 identity file: per-tunnel keys with each DN's public-key
 * device: d2r2-tun-en        # the TUN device to create
 * mtu: 1400
 * listen: 0.0.0.0:0          # local UDP address
 * dns:                       # the first is the primary: it assigns the address
 *   - {name: dn1, address: 10.1.1.2:4789}
 *   - {name: dn2, address: 10.1.2.2:4789}
 * routes: [10.99.0.0/24]     # destinations sent into the tunnel
 * hello-every: 200ms         # how often an unanswered hello is repeated
 * failback-after: 1s         # the primary's session must be Up this long before traffic returns to it
 * status-every: 10s
 * bfd: {tx: 10ms, rx: 10ms, multiplier: 3}
 * uplinks:                   # optional, instead of listen: two or more local addresses to reach the DNs by
 *   - {name: up1, local: 10.1.1.1:0}
 *   - {name: up2, local: 10.1.2.1:0, penalty: 20}
 * multipath:                 # optional, with uplinks: the keys of d2r2 tunnel mh
 *   mode: primary-backup     # or concurrent
 *   probe: {every: 10ms, window: 100, loss-after: 100ms, down-after: 60ms}
 *   weights: {delay: 1, jitter: 2, loss: 10, distrust: 1}
 *   hysteresis: {margin: 5, hold: 2s}
 *   score-every: 1s
 * trust: {indictment: 0.5, refuse-below: 0.3}   # trust in the DNs and uplinks, by name (d2r2 tunnel en --trust-from)
 * data-silence: 300ms       # optional: data sent and none back this long leaves the DN (reason data)
 * test-delay: {delay: 20ms, jitter: 5ms}          # TEST ONLY: every frame sent (data and control) waits this long (DelayStage);
 *                                                 # an uplink's own test-delay replaces it on that uplink
 * </pre>
 */
public record EnConfig(String name, Integer tunnel, String key, String device, Integer mtu, String listen, List<DnRef> dns,
                       List<String> routes, @JsonProperty("hello-every") Duration helloEvery,
                       @JsonProperty("failback-after") Duration failbackAfter,
                       @JsonProperty("status-every") Duration statusEvery, BfdConfig bfd, List<Uplink> uplinks,
                       Multipath multipath, MhConfig.Trust trust,
                       @JsonProperty("data-silence") Duration dataSilence, @JsonProperty("test-delay") TestDelay testDelay,
                       String identity) {
    public EnConfig {
        NodeChecks.name(name);
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required", "tunnel");
        }
        NodeChecks.keyOrIdentity(key, identity);
        NodeChecks.device(device);
        NodeChecks.mtu(mtu);
        if (listen != null) {
            NodeChecks.hostPort(listen, "listen");
        }
        if (dns == null || dns.size() < 2) {
            throw new InvalidAt("an EN needs at least two DNs (n > 1: one more than the DN failures to survive)", "dns");
        }
        var names = new HashSet<String>();
        for (int i = 0; i < dns.size(); i++) {
            if (!names.add(dns.get(i).name())) {
                throw new InvalidAt("DN name " + dns.get(i).name() + " is used twice", "dns", i, "name");
            }
            if (identity != null && dns.get(i).publicKey() == null) {
                throw new InvalidAt("an EN keyed by identity needs each DN's public-key (d2r2 tunnel pubkey on the DN)", "dns", i);
            }
            if (identity == null && dns.get(i).publicKey() != null) {
                throw new InvalidAt("a DN's public-key needs the EN's identity (the master key needs none)", "dns", i, "public-key");
            }
        }
        dns = List.copyOf(dns);
        routes = routes == null ? List.of() : List.copyOf(routes);
        for (int i = 0; i < routes.size(); i++) {
            NodeChecks.ipv4Cidr(routes.get(i), "routes", i);
        }
        NodeChecks.positive(helloEvery, "hello-every");
        if (failbackAfter != null && failbackAfter.isNegative()) {
            throw new InvalidAt("must not be negative", "failback-after");
        }
        NodeChecks.positive(statusEvery, "status-every");
        bfd = bfd == null ? BfdConfig.DEFAULTS : bfd;
        uplinks = uplinks == null ? List.of() : List.copyOf(uplinks);
        if (uplinks.size() == 1 || uplinks.size() > 64) {
            throw new InvalidAt("two to 64 uplinks (or none: one socket on listen)", "uplinks");
        }
        if (!uplinks.isEmpty() && listen != null) {
            throw new InvalidAt("listen or uplinks, not both: each uplink binds its own local address", "listen");
        }
        var uplinkNames = new HashSet<String>();
        for (int i = 0; i < uplinks.size(); i++) {
            if (!uplinkNames.add(uplinks.get(i).name())) {
                throw new InvalidAt("uplink name " + uplinks.get(i).name() + " is used twice", "uplinks", i, "name");
            }
        }
        if (multipath != null && uplinks.isEmpty()) {
            throw new InvalidAt("multipath needs uplinks", "multipath");
        }
        multipath = multipath == null ? Multipath.DEFAULTS : multipath;
        for (int i = 0; i < uplinks.size(); i++) {
            if (names.contains(uplinks.get(i).name())) {
                throw new InvalidAt("uplink name " + uplinks.get(i).name() + " is a DN's name too: trust is given by name", "uplinks", i, "name");
            }
        }
        trust = trust == null ? new MhConfig.Trust(null, null) : trust;
        if (dataSilence != null && dataSilence.toMillis() < 20) {
            throw new InvalidAt("at least 20ms: the data path is checked every quarter of it, on a 10 ms timer", "data-silence");
        }
    }

    /** The test-only delay of each uplink (the one socket's when there are none): its own, else the EN's; null for none. */
    TestDelay[] testDelays() {
        if (uplinks.isEmpty()) {
            return new TestDelay[]{testDelay};
        }
        return uplinks.stream().map(u -> u.testDelay() == null ? testDelay : u.testDelay()).toArray(TestDelay[]::new);
    }

    int mtuOrDefault() {
        return mtu == null ? NodeChecks.DEFAULT_MTU : mtu;
    }

    String listenOrDefault() {
        return listen == null ? "0.0.0.0:0" : listen;
    }

    Duration helloEveryOrDefault() {
        return helloEvery == null ? Duration.ofMillis(200) : helloEvery;
    }

    Duration failbackAfterOrDefault() {
        return failbackAfter == null ? Duration.ofSeconds(1) : failbackAfter;
    }

    Duration statusEveryOrDefault() {
        return statusEvery == null ? Duration.ofSeconds(10) : statusEvery;
    }
}
