package dev.d2r2.tunnel.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/** Sends every UDP datagram back to its sender: the far end of {@link SeqProbe}. */
public final class EchoServer implements AutoCloseable {
    private final DatagramChannel channel;
    private final Thread thread;

    private EchoServer(DatagramChannel channel) {
        this.channel = channel;
        this.thread = Thread.ofPlatform().name("d2r2-tunnel-echo").daemon().start(this::run);
    }

    /** Binds {@code address} (in the calling thread's network namespace) and starts echoing. */
    public static EchoServer start(InetSocketAddress address) throws IOException {
        return new EchoServer(DatagramChannel.open().bind(address));
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        while (true) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                channel.send(buf, from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // an unreachable sender: keep echoing for the others
            }
        }
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        channel.close();
        thread.join(2000);
    }
}
