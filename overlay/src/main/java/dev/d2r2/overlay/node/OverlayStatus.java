package dev.d2r2.overlay.node;

import dev.d2r2.overlay.events.NodeStatus;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.wire.MalformedPacket;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * A node's state and counters at one moment.
 *
 * @param dropped packets dropped before the DHT saw them, by reason (malformed, unauthenticated, stale, replayed)
 * @param inboxFull datagrams dropped because the node's inbox was full
 * @param valueRequestsRefused STORE and FIND_VALUE refused by a node that carries no values ({@code KadConfig.carriesValues})
 */
public record OverlayStatus(NodeId id, InetSocketAddress address, int contacts, int values, long received, long sent,
                            long timeouts, long unexpected, long lookups, long storesRejected, long forgedValues,
                            Map<MalformedPacket.Reason, Long> dropped, long inboxFull, long sendFailures,
                            long valueRequestsRefused) {

    public NodeStatus event(long time) {
        return new NodeStatus(time, id.toString(), address.getHostString() + ":" + address.getPort(), contacts, values, received,
                sent, timeouts, droppedTotal(), storesRejected);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
