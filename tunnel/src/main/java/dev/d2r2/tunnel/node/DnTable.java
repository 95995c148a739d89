package dev.d2r2.tunnel.node;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;

/**
 * A DN's sessions as the data path reads them: an immutable snapshot (replaced whole by the role
 * on every change, read without a lock) indexed by tunnel id and by EN address, each a sorted
 * array searched without allocating.
 */
final class DnTable implements DataPath.Router {
    static final DnTable EMPTY = new DnTable(java.util.List.of());

    private final int[] tunnelIds;
    private final Peer[] byTunnel;
    private final int[] addresses;
    private final Peer[] byAddress;

    DnTable(Collection<Peer> peers) {
        Peer[] t = peers.toArray(Peer[]::new);
        Arrays.sort(t, (a, b) -> Integer.compare(a.tunnelId, b.tunnelId));
        byTunnel = t;
        tunnelIds = Arrays.stream(t).mapToInt(p -> p.tunnelId).toArray();
        Peer[] a = peers.toArray(Peer[]::new);
        Arrays.sort(a, (x, y) -> Integer.compare(x.address, y.address));
        byAddress = a;
        addresses = Arrays.stream(a).mapToInt(p -> p.address).toArray();
    }

    Peer byTunnel(int tunnelId) {
        int i = Arrays.binarySearch(tunnelIds, tunnelId);
        return i < 0 ? null : byTunnel[i];
    }

    /** The EN an IPv4 packet out of the TUN device is for (by its destination address); null for IPv6 or no EN. */
    @Override
    public Peer route(ByteBuffer packet, int offset, int length) {
        if (length < 20 || (packet.get(offset) & 0xf0) != 0x40) {
            return null;
        }
        int i = Arrays.binarySearch(addresses, packet.getInt(offset + 16));
        return i < 0 ? null : byAddress[i];
    }
}
