package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelIdentity;
import dev.d2r2.tunnel.wire.TunnelIdentity.Direction;
import dev.d2r2.tunnel.wire.TunnelKey;

import java.util.Arrays;
import java.util.List;

/**
 * An EN's keys with each of its DNs, by the DN's place in its configuration: one seals what the EN
 * sends, the other checks what comes back. From identities each DN has its own pair; from the
 * master key file all are the tunnel's one key.
 */
final class EnKeys {
    private final byte[][] toDn;
    private final byte[][] fromDn;

    private EnKeys(byte[][] toDn, byte[][] fromDn) {
        this.toDn = toDn;
        this.fromDn = fromDn;
    }

    static EnKeys master(TunnelKey master, int tunnelId, int dns) {
        byte[][] keys = new byte[dns][];
        Arrays.fill(keys, master.keyFor(tunnelId));
        return new EnKeys(keys, keys);
    }

    /** {@code dnPublics}: each DN's tunnel public key, in the configuration's order. */
    static EnKeys identity(TunnelIdentity me, int tunnelId, List<byte[]> dnPublics) {
        byte[][] to = new byte[dnPublics.size()][];
        byte[][] from = new byte[dnPublics.size()][];
        for (int i = 0; i < to.length; i++) {
            to[i] = me.pairKey(dnPublics.get(i), tunnelId, true, Direction.EN_TO_DN);
            from[i] = me.pairKey(dnPublics.get(i), tunnelId, true, Direction.DN_TO_EN);
        }
        return new EnKeys(to, from);
    }

    /** A new sealing MAC for DN {@code dn} (one per thread). */
    PacketMac toDn(int dn) {
        return new PacketMac(toDn[dn]);
    }

    /** A new checking MAC for frames from DN {@code dn} (one per thread). */
    PacketMac fromDn(int dn) {
        return new PacketMac(fromDn[dn]);
    }

    int size() {
        return toDn.length;
    }
}
