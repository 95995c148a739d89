package dev.d2r2.tunnel.node;

import dev.d2r2.tunnel.wire.GreFrame;
import dev.d2r2.tunnel.wire.PacketMac;

import java.util.function.IntFunction;

/**
 * A DN's per-tunnel keys for its UDP reader: direct-mapped, bounded, one thread's. A tunnel id seen
 * before costs an array look-up; a new one (or one pushed out by another) costs one key
 * derivation, which a sender of junk ids can force but cannot turn into memory growth.
 */
final class MacCache implements GreFrame.Keys {
    private static final int SLOTS = 1024;
    private final IntFunction<PacketMac> keys;
    private final int[] ids = new int[SLOTS];
    private final PacketMac[] macs = new PacketMac[SLOTS];

    /** {@code keys}: a new MAC for a tunnel id, or null for one the DN has no key for. */
    MacCache(IntFunction<PacketMac> keys) {
        this.keys = keys;
    }

    @Override
    public PacketMac macFor(int tunnelId) {
        int slot = (tunnelId * 0x9E3779B9 >>> 22) & SLOTS - 1;
        PacketMac mac = macs[slot];
        if (mac == null || ids[slot] != tunnelId) {
            mac = keys.apply(tunnelId);
            macs[slot] = mac;
            ids[slot] = tunnelId;
        }
        return mac;
    }
}
