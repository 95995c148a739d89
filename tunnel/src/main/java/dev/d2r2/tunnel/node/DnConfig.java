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
import java.util.Set;

/**
 * A decapsulation node's configuration ({@code d2r2 tunnel dn --config F}).
 *
 * <pre>
 * name: dn1
 * key: tunnel.key            # optional: the master key file, relative to this file (for ENs not in ens)
 * identity: dn1.identity     # the DN's d2r2 identity file: per-tunnel keys with the ENs in ens, its fencers and the ESR
 * ens:                       # ENs served by identity: tunnel id and the EN's tunnel public key
 *   - {tunnel: 1, public-key: 6f1c...}
 * listen: 10.1.1.2:4789      # the tunnel port
 * device: d2r2-tun-dn
 * mtu: 1400
 * pool: 10.77.1.0/24         # its primary subnet: addresses for the ENs whose primary it is
 * subnets:                   # optional: the pool cut into one block per backup DN (the EN's first secondary)
 *   dn2: 10.77.1.0/25
 * secondary: [10.77.2.0/25]  # optional: blocks of other DNs' pools whose ENs fail over to this DN
 * fencers:                   # optional: the DN failure detectors that may fence it: tunnel id and tunnel public key
 *   - {tunnel: 900, public-key: 9d0e...}
 * clients: 10.77.0.0/16      # every EN address (all DNs' pools): routed into the TUN device
 * announce: d2r2-tun-hub     # optional: proxy-ARP and gratuitous ARP here for the ENs it carries
 * esr: {address: 10.3.1.1:4790, tunnel: 901, public-key: 3b6a...}  # optional: report the ENs it carries to an edge service router
 * status-every: 10s
 * bfd: {tx: 10ms, rx: 10ms, multiplier: 3}
 * test-delay: {delay: 20ms}  # TEST ONLY: every frame the DN sends (data and control) waits this long
 * </pre>
 */
public record DnConfig(String name, String key, String listen, String device, Integer mtu, String pool, String clients,
                       String announce, @JsonProperty("status-every") Duration statusEvery, BfdConfig bfd,
                       Map<String, String> subnets, List<String> secondary, List<EnRef> fencers, EsrLink esr,
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
        fencers = fencers == null ? List.of() : List.copyOf(fencers);
        if (identity == null && !fencers.isEmpty()) {
            throw new InvalidAt("a DN-FD's fences are sealed with this DN's identity and the DN-FD's: identity is needed", "fencers");
        }
        if (identity == null && esr != null) {
            throw new InvalidAt("the ESR's reports are sealed with this DN's identity and the ESR's: identity is needed", "esr");
        }
        var tunnels = new HashSet<Integer>();
        peers(ens, "ens", tunnels);
        peers(fencers, "fencers", tunnels);
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

    /** Checks the peers listed by identity in {@code list}: each a tunnel id unique among all of them and a public key. */
    private static void peers(List<EnRef> peers, String list, Set<Integer> tunnels) {
        for (int i = 0; i < peers.size(); i++) {
            EnRef peer = peers.get(i);
            if (peer.tunnel() == null || peer.tunnel() == 0 || !tunnels.add(peer.tunnel())) {
                throw new InvalidAt("a non-zero tunnel id, once", list, i, "tunnel");
            }
            NodeChecks.required(peer.publicKey(), list, i, "public-key");
            try {
                TunnelIdentity.parsePublic(peer.publicKey());
            } catch (IllegalArgumentException e) {
                throw new InvalidAt(e.getMessage(), list, i, "public-key");
            }
        }
    }

    /** The pool, its blocks and the secondary subnets, parsed. */
    AddressPlan plan() {
        Map<String, Cidr> blocks = new LinkedHashMap<>();
        subnets.forEach((dn, block) -> blocks.put(dn, Cidr.parse(block)));
        return new AddressPlan(Cidr.parse(pool), blocks, secondary.stream().map(Cidr::parse).toList(), Cidr.parse(clients));
    }

    /** The ENs and DN-FDs listed by identity: tunnel id → their tunnel public key. */
    Map<Integer, byte[]> peerKeys() {
        Map<Integer, byte[]> keys = new LinkedHashMap<>();
        ens.forEach(en -> keys.put(en.tunnel(), TunnelIdentity.parsePublic(en.publicKey())));
        fencers.forEach(fd -> keys.put(fd.tunnel(), TunnelIdentity.parsePublic(fd.publicKey())));
        return keys;
    }

    /** The tunnel ids of the DN-FDs that may fence this DN. */
    Set<Integer> fencerTunnels() {
        Set<Integer> ids = new HashSet<>();
        fencers.forEach(fd -> ids.add(fd.tunnel()));
        return ids;
    }

    int mtuOrDefault() {
        return mtu == null ? NodeChecks.DEFAULT_MTU : mtu;
    }

    Duration statusEveryOrDefault() {
        return statusEvery == null ? Duration.ofSeconds(10) : statusEvery;
    }
}
