package dev.d2r2.tunnel.path;

import dev.d2r2.core.agent.AgentRunner;
import dev.d2r2.tunnel.wire.Drop;
import dev.d2r2.tunnel.wire.PacketMac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * One path's reader thread: checks each frame ({@link PathFrame#open}), answers a probe at once on
 * the path it came by (the echo must not wait behind the role), hands an echo to the role, and
 * sends a datagram on to the application. Frames of a refused peer are dropped and counted. One
 * direct buffer for its life; only an echo handed to the role allocates.
 */
final class PathReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PathReader.class);

    private final int path;
    private final int tunnelId;
    private final Links links;
    private final PacketMac in;
    private final PacketMac out;
    private final AgentRunner role;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(64);

    /** {@code in} checks what the peer sends, {@code out} seals the echoes (each this thread's own). */
    PathReader(int path, int tunnelId, Links links, PacketMac in, PacketMac out, AgentRunner role) {
        this.path = path;
        this.tunnelId = tunnelId;
        this.links = links;
        this.in = in;
        this.out = out;
        this.role = role;
    }

    @Override
    public void run() {
        while (true) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) links.channels[path].receive(buf);
                long at = System.nanoTime();
                buf.flip();
                Drop drop = PathFrame.open(buf, tunnelId, in, links.size());
                if (drop != null) {
                    links.drops.count(drop);
                } else if (links.refused) {
                    links.refusedFrames.incrementAndGet();
                } else {
                    handle(from, at);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("path {} receive failed: {}", links.names[path], e.toString());
            }
        }
    }

    private void handle(InetSocketAddress from, long at) throws IOException {
        switch (PathFrame.kind(buf)) {
            case PathFrame.PROBE -> {
                PathFrame.sealProbe(reply, PathFrame.ECHO, PathFrame.path(buf), PathFrame.probeSeq(buf), tunnelId,
                        links.frameSeq[path].getAndIncrement(), out);
                links.channels[path].send(reply, from);
            }
            case PathFrame.ECHO -> {
                if (PathFrame.path(buf) == path) {
                    role.offer(new Echoed(path, PathFrame.probeSeq(buf), at));
                } else {
                    links.drops.count(Drop.MALFORMED);
                }
            }
            default -> {
                InetSocketAddress to = links.appTo != null ? links.appTo : links.lastClient;
                if (to == null) {
                    links.noRoute.incrementAndGet();
                    return;
                }
                links.received.incrementAndGet(path);
                buf.limit(PathFrame.BODY_AT + PathFrame.dataLength(buf)).position(PathFrame.BODY_AT);
                links.app.send(buf, to);
            }
        }
    }
}
