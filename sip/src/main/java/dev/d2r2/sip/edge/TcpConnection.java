package dev.d2r2.sip.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A client's TCP connection to the edge: read on a virtual thread of its own and framed by
 * Content-Length (RFC 3261 §18.3); responses and requests for the client are written back on it.
 * It remembers when it last carried bytes, for the idle timeout.
 */
final class TcpConnection implements AutoCloseable {
    final long id;
    final SocketChannel channel;
    final InetSocketAddress remote;
    /** When bytes were last read from or written to it, in the edge clock's milliseconds. */
    volatile long lastActiveMs;

    TcpConnection(long id, SocketChannel channel, long nowMs) throws IOException {
        this.id = id;
        this.channel = channel;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.lastActiveMs = nowMs;
    }

    /** Writes {@code out} (from 0 to its position) whole; writers take turns. */
    synchronized void write(ByteBuffer out) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to tell the peer
        }
    }
}
