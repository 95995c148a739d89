package dev.d2r2.tunnel.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.d2r2.core.Cidr;
import dev.d2r2.core.config.InvalidAt;
import dev.d2r2.tunnel.wire.TunnelIdentity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decapsulation node's configuration ({@code d2r2 tunnel dn --config F}).
 *
 * <pre>
 * name: dn1
 * key: tunnel.key            # the master key file, relative to this file (for ENs not in ens, the DN-FD, the ESR)
 * identity: dn1.identity     # the DN's d2r2 identity file: per-tunnel keys with the ENs in ens
 * ens:                       # ENs served by identity: tunnel id and the EN's tunnel public key
 *   - {tunnel: 1, public-key: 6f1c...}
 * listen: 10.1.1.2:4789      # the tunnel port
 * device: d2r2-tun-dn
 * mtu: 1400
 * pool: 10.77.1.0/24         # its primary subnet: addresses for the ENs whose primary it is
 * subnets:                   # optional: the pool cut into one block per backup DN (the EN's first secondary)
 *   dn2: 10.77.1.0/25
 * secondary: [10.77.2.0/25]  # optional: blocks of other DNs' pools whose ENs fail over to this DN
 * fencers: [900]             # optional: the tunnel ids of the DN failure detectors that may fence it
 * clients: 10.77.0.0/16      # every EN address (all DNs' pools): routed into the TUN device
 * announce: d2r2-tun-hub     # optional: proxy-ARP and gratuitous ARP here for the ENs it carries
 * esr: {address: 10.3.1.1:4790, tunnel: 901}  # optional: report the ENs it carries to an edge service router
 * status-every: 10s
 * bfd: {tx: 10ms, rx: 10ms, multiplier: 3}
 * test-delay: {delay: 20ms}  # TEST ONLY: every frame the DN sends (data and control) waits this long
 * </pre>
 */
public record DnConfig(String name, String key, String listen, String device, Integer mtu, String pool, String clients,
                       String announce, @JsonProperty("status-every") Duration statusEvery, BfdConfig bfd,
                       Map<String, String> subnets, List<String> secondary, List<Integer> fencers, EsrLink esr,
                       String identity, List<EnRef> ens, @JsonProperty("test-delay") TestDelay testDelay) {
    public DnConfig {
        NodeChecks.name(name);
        if (key == null) {
            NodeChecks.required(identity, "identity");
        } else {
            NodeChecks.required(key, "key");
        }
        ens = ens == null ? List.of() : List.copyOf(ens);
        if (!ens.isEmpty() && identity == null) {
            throw new InvalidAt("ENs listed by identity need this DN's identity", "ens");
        }
        var enTunnels = new HashSet<Integer>();
        for (int i = 0; i < ens.size(); i++) {
            EnRef en = ens.get(i);
            if (en.tunnel() == null || en.tunnel() == 0 || !enTunnels.add(en.tunnel())) {
                throw new InvalidAt("a non-zero tunnel id, once", "ens", i, "tunnel");
            }
            NodeChecks.required(en.publicKey(), "ens", i, "public-key");
            try {
                TunnelIdentity.parsePublic(en.publicKey());
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), "ens", i, "public-key");
            }
        }
        if (key == null && esr != null) {
            throw new InvalidAt("the ESR's reports are sealed with the master key: key is needed too", "esr");
        }
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
        subnets = subnets == null ? Map.of() : new LinkedHashMap<>(subnets);
        List<Cidr> blocks = new ArrayList<>();
        for (Map.Entry<String, String> e : subnets.entrySet()) {
            Cidr b = NodeChecks.ipv4Cidr(e.getValue(), "subnets", e.getKey());
            if (!p.contains(b.address()) || b.prefix() < p.prefix()) {
                throw new InvalidAt("the block " + b + " is not inside the pool " + pool, "subnets", e.getKey());
            }
            for (Cidr other : blocks) {
                if (other.overlaps(b)) {
                    throw new InvalidAt("the block " + b + " overlaps " + other, "subnets", e.getKey());
                }
            }
            blocks.add(b);
        }
        fencers = fencers == null ? List.of() : List.copyOf(fencers);
        if (key == null && !fencers.isEmpty()) {
            throw new InvalidAt("a DN-FD seals with the master key: key is needed too", "fencers");
        }
        secondary = secondary == null ? List.of() : List.copyOf(secondary);
        for (int i = 0; i < secondary.size(); i++) {
            Cidr s = NodeChecks.ipv4Cidr(secondary.get(i), "secondary", i);
            if (!c.contains(s.address()) || s.prefix() < c.prefix()) {
                throw new InvalidAt("the secondary subnet " + s + " is not inside clients " + clients, "secondary", i);
            }
            if (s.overlaps(p)) {
                throw new InvalidAt("the secondary subnet " + s + " overlaps this DN's own pool " + pool, "secondary", i);
            }
        }
    }

    /** The pool, its blocks and the secondary subnets, parsed. */
    AddressPlan plan() {
        Map<String, Cidr> blocks = new LinkedHashMap<>();
        subnets.forEach((dn, block) -> blocks.put(dn, Cidr.parse(block)));
        return new AddressPlan(Cidr.parse(pool), blocks, secondary.stream().map(Cidr::parse).toList(), Cidr.parse(clients));
    }

    /** The ENs listed by identity: tunnel id → the EN's tunnel public key. */
    Map<Integer, byte[]> ensKeys() {
        Map<Integer, byte[]> keys = new LinkedHashMap<>();
        ens.forEach(en -> keys.put(en.tunnel(), TunnelIdentity.parsePublic(en.publicKey())));
        return keys;
    }

    int mtuOrDefault() {
        return mtu == null ? NodeChecks.DEFAULT_MTU : mtu;
    }

    Duration statusEveryOrDefault() {
        return statusEvery == null ? Duration.ofSeconds(10) : statusEvery;
    }
}
