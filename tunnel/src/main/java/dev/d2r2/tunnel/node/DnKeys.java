package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import dev.d2r2.tunnel.wire.TunnelKey;

import java.util.HashMap;
import java.util.Map;

/**
 * A DN's keys by tunnel id. The ENs and DN failure detectors listed by identity ({@code ens},
 * {@code fencers}) each have their own pair, derived from the DN's identity and theirs (a DN-FD
 * greets a DN as an EN would); any other id takes the master key's, when the DN has one, and is
 * unknown otherwise. Its reports to the ESR are sealed with the key of its identity and the ESR's.
 */
final class DnKeys {
    private final TunnelKey master;
    private final TunnelIdentity me;
    private final Map<Integer, byte[]> toEn = new HashMap<>();
    private final Map<Integer, byte[]> fromEn = new HashMap<>();

    /** {@code master} and {@code me} may each be null; {@code ens}: tunnel id → the EN's (or DN-FD's) tunnel public key. */
    DnKeys(TunnelKey master, TunnelIdentity me, Map<Integer, byte[]> ens) {
        this.master = master;
        this.me = me;
        ens.forEach((tunnelId, en) -> {
            toEn.put(tunnelId, me.pairKey(en, tunnelId, false, Direction.DN_TO_EN));
            fromEn.put(tunnelId, me.pairKey(en, tunnelId, false, Direction.EN_TO_DN));
        });
    }

    /** A new MAC sealing what this DN sends on {@code tunnelId}, or null for a tunnel it has no key for. */
    PacketMac toEn(int tunnelId) {
        return mac(toEn, tunnelId);
    }

    /** A new MAC checking what comes in on {@code tunnelId}, or null for a tunnel it has no key for. */
    PacketMac fromEn(int tunnelId) {
        return mac(fromEn, tunnelId);
    }

    /**
     * A new MAC sealing this DN's reports to the ESR of {@code esr}: the DN reports as an EN sends
     * (the reporting end takes the EN's place in {@link TunnelIdentity#pairKey}).
     */
    PacketMac toEsr(EsrLink esr) {
        return new PacketMac(me.pairKey(TunnelIdentity.parsePublic(esr.publicKey()), esr.tunnel(), true, Direction.EN_TO_DN));
    }

    private PacketMac mac(Map<Integer, byte[]> keys, int tunnelId) {
        byte[] key = keys.get(tunnelId);
        if (key != null) {
            return new PacketMac(key);
        }
        return master == null ? null : master.macFor(tunnelId);
    }
}
