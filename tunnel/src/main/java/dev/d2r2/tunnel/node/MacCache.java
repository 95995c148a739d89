package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;
import dev.d2r2.tunnel.wire.TunnelKey;

/**
 * A DN's per-tunnel keys for its UDP reader: direct-mapped, bounded, one thread's. A tunnel id seen
 * before costs an array look-up; a new one (or one pushed out by another) costs one key
 * derivation, which a sender of junk ids can force but cannot turn into memory growth.
 */
final class MacCache implements GreFrame.Keys {
    private static final int SLOTS = 1024;
    private final TunnelKey key;
    private final int[] ids = new int[SLOTS];
    private final PacketMac[] macs = new PacketMac[SLOTS];

    MacCache(TunnelKey key) {
        this.key = key;
    }

    @Override
    public PacketMac macFor(int tunnelId) {
        int slot = (tunnelId * 0x9E3779B9 >>> 22) & SLOTS - 1;
        PacketMac mac = macs[slot];
        if (mac == null || ids[slot] != tunnelId) {
            mac = key.macFor(tunnelId);
            macs[slot] = mac;
            ids[slot] = tunnelId;
        }
        return mac;
    }
}
