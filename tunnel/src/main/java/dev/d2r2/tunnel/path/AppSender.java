package dev.d2r2.tunnel.path;

import dev.d2r2.tunnel.wire.PacketMac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * The application socket's reader thread: each datagram is read straight after the room left for
 * the frame's header, sealed where it lies, and sent on the path the spread picks (the active one
 * in primary-backup mode). Without a configured application address, the last sender is where the
 * peer's datagrams go. Allocates nothing per datagram beyond the sender address the JDK returns.
 */
final class AppSender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AppSender.class);
    private static final int MAX_DATAGRAM = 65_536 - PathFrame.BODY_AT - 16;

    private final int tunnelId;
    private final Links links;
    private final PacketMac mac;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(65_536);

    AppSender(int tunnelId, Links links, PacketMac mac) {
        this.tunnelId = tunnelId;
        this.links = links;
        this.mac = mac;
    }

    @Override
    public void run() {
        while (true) {
            try {
                buf.clear().position(PathFrame.BODY_AT).limit(PathFrame.BODY_AT + MAX_DATAGRAM);
                InetSocketAddress from = (InetSocketAddress) links.app.receive(buf);
                int length = buf.position() - PathFrame.BODY_AT;
                if (links.appTo == null && !from.equals(links.lastClient)) {
                    links.lastClient = from;
                }
                int path = links.refused ? -1 : links.spread.next();
                if (path < 0) {
                    links.noRoute.incrementAndGet();
                    continue;
                }
                buf.clear();
                PathFrame.sealData(buf, path, length, tunnelId, links.frameSeq[path].getAndIncrement(), mac);
                links.channels[path].send(buf, links.remotes[path]);
                links.sent.incrementAndGet(path);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("application datagram not sent: {}", e.toString());
            }
        }
    }
}
