package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * An edge service router's configuration ({@code d2r2 tunnel esr --config F}).
 *
 * <pre>
 * name: esr1
 * tunnel: 901                # the tunnel id the DNs seal their reports under (their esr.tunnel)
 * key: tunnel.key            # the master key file, relative to this file
 * listen: 0.0.0.0:4790       # where the DNs report
 * dns:                       # every DN that may report, and its next hop from here
 *   - {name: dn1, via: 10.3.1.2}
 *   - {name: dn2, via: 10.3.2.2, identity: dn2-host}   # the broker identity its tunnel.dn.map events come from (default: its name)
 * expire-after: 1s           # a DN silent this long carries nothing (its routes go)
 * status-every: 10s
 * </pre>
 */
public record EsrConfig(String name, Integer tunnel, String key, String listen, List<Hop> dns,
                        @JsonProperty("expire-after") Duration expireAfter, @JsonProperty("status-every") Duration statusEvery) {
    /**
     * A DN the ESR takes reports from, the address on the ESR's side that reaches it, and the broker identity that
     * publishes its {@code tunnel.dn.map} events (its name unless given).
     */
    public record Hop(String name, String via, String identity) {
        String identityOrName() {
            return identity == null ? name : identity;
        }
    }

    public EsrConfig {
        NodeChecks.name(name);
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required", "tunnel");
        }
        NodeChecks.required(key, "key");
        if (listen != null) {
            NodeChecks.hostPort(listen, "listen");
        }
        if (dns == null || dns.isEmpty()) {
            throw new InvalidAt("at least one DN is required", "dns");
        }
        var names = new HashSet<String>();
        for (int i = 0; i < dns.size(); i++) {
            Hop hop = dns.get(i);
            NodeChecks.required(hop.name(), "dns", i, "name");
            if (!names.add(hop.name())) {
                throw new InvalidAt("DN name " + hop.name() + " is used twice", "dns", i, "name");
            }
            if (hop.via() == null || hop.via().contains("/")) {
                throw new InvalidAt("required: the DN's IPv4 address as seen from the ESR", "dns", i, "via");
            }
            NodeChecks.ipv4Cidr(hop.via() + "/32", "dns", i, "via");
            if (hop.identity() != null && hop.identity().isBlank()) {
                throw new InvalidAt("a broker identity name, or leave it out", "dns", i, "identity");
            }
        }
        dns = List.copyOf(dns);
        if (expireAfter != null && expireAfter.toMillis() < 20) {
            throw new InvalidAt("at least 20ms", "expire-after");
        }
        NodeChecks.positive(statusEvery, "status-every");
    }

    String listenOrDefault() {
        return listen == null ? "0.0.0.0:4790" : listen;
    }

    long expireAfterMillis() {
        return expireAfter == null ? 1000 : expireAfter.toMillis();
    }

    long statusEveryMillis() {
        return statusEvery == null ? 10_000 : statusEvery.toMillis();
    }
}
