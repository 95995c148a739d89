package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.wire.TunnelIdentity;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * An edge service router's configuration ({@code d2r2 tunnel esr --config F}).
 *
 * <pre>
 * name: esr1
 * tunnel: 901                # the tunnel id the DNs seal their reports under (their esr.tunnel)
 * identity: esr1.identity   # its d2r2 identity file, relative to this file: its keys with each DN
 * listen: 0.0.0.0:4790       # where the DNs report
 * dns:                       # every DN that may report, and its next hop from here
 *   - {name: dn1, via: 10.3.1.2, public-key: 5c2f...}   # the DN's tunnel public key (d2r2 tunnel pubkey): its reports' key
 *   - {name: dn2, via: 10.3.2.2, public-key: 81aa..., identity: dn2-host}   # the broker identity its tunnel.dn.map events come from (default: its name)
 * expire-after: 1s           # a DN silent this long carries nothing (its routes go)
 * status-every: 10s
 * </pre>
 */
public record EsrConfig(String name, Integer tunnel, String identity, String listen, List<Hop> dns,
                        @JsonProperty("expire-after") Duration expireAfter, @JsonProperty("status-every") Duration statusEvery) {
    /**
     * A DN the ESR takes reports from, the address on the ESR's side that reaches it, its tunnel public key (its reports
     * are sealed with the key of its identity and the ESR's) and the broker identity that publishes its
     * {@code tunnel.dn.map} events (its name unless given).
     */
    public record Hop(String name, String via, @JsonProperty("public-key") String publicKey, String identity) {
        String identityOrName() {
            return identity == null ? name : identity;
        }
    }

    public EsrConfig {
        NodeChecks.name(name);
        if (tunnel == null || tunnel == 0) {
            throw new InvalidAt("a non-zero tunnel id is required", "tunnel");
        }
        NodeChecks.required(identity, "identity");
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
            NodeChecks.required(hop.publicKey(), "dns", i, "public-key");
            try {
                TunnelIdentity.parsePublic(hop.publicKey());
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), "dns", i, "public-key");
            }
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
