package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.Cidr;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;

/**
 * A decapsulation node's configuration ({@code d2r2 tunnel dn --config F}).
 *
 * <pre>
 * name: dn1
 * key: tunnel.key            # the master key file, relative to this file
 * listen: 10.1.1.2:4789      # the tunnel port
 * device: d2r2-tun-dn
 * mtu: 1400
 * pool: 10.77.1.0/24         # its primary subnet: addresses for the ENs whose primary it is
 * clients: 10.77.0.0/16      # every EN address (all DNs' pools): routed into the TUN device
 * announce: d2r2-tun-hub     # optional: proxy-ARP and gratuitous ARP here for the ENs it carries
 * status-every: 10s
 * bfd: {tx: 10ms, rx: 10ms, multiplier: 3}
 * </pre>
 */
public record DnConfig(String name, String key, String listen, String device, Integer mtu, String pool, String clients,
                       String announce, @JsonProperty("status-every") Duration statusEvery, BfdConfig bfd) {
    public DnConfig {
        NodeChecks.name(name);
        NodeChecks.required(key, "key");
        NodeChecks.required(listen, "listen");
        NodeChecks.hostPort(listen, "listen");
        NodeChecks.device(device);
        NodeChecks.mtu(mtu);
        Cidr p = NodeChecks.ipv4Cidr(pool, "pool");
        Cidr c = NodeChecks.ipv4Cidr(clients, "clients");
        if (p.prefix() > 30) {
            throw new InvalidAt("a pool needs room for at least two addresses: /30 or wider", "pool");
        }
        if (!c.contains(p.address()) || c.prefix() > p.prefix()) {
            throw new InvalidAt("the pool " + pool + " is not inside clients " + clients, "pool");
        }
        if (announce != null) {
            NodeChecks.device(announce, "announce");
        }
        NodeChecks.positive(statusEvery, "status-every");
        bfd = bfd == null ? BfdConfig.DEFAULTS : bfd;
    }

    int mtuOrDefault() {
        return mtu == null ? NodeChecks.DEFAULT_MTU : mtu;
    }

    Duration statusEveryOrDefault() {
        return statusEvery == null ? Duration.ofSeconds(10) : statusEvery;
    }
}
