package dev.d2r2.p2psip.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of one hop that counts the bytes passing each way: what an observer of that link sees.
 * Told to {@link #drop}, it keeps its connections up but passes nothing on: a hop that loses cells silently.
 */
public final class CountingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    public final AtomicLong towardsTarget = new AtomicLong();
    public final AtomicLong fromTarget = new AtomicLong();
    public final AtomicLong connections = new AtomicLong();
    private volatile boolean dropping;

    public CountingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void accept() {
        try {
            while (true) {
                Socket in = server.accept();
                connections.incrementAndGet();
                Socket out = new Socket(target.getAddress(), target.getPort());
                Thread.ofVirtual().start(() -> pump(in, out, towardsTarget));
                Thread.ofVirtual().start(() -> pump(out, in, fromTarget));
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** From now on, everything that arrives either way is read and dropped; the connections stay open. */
    public void drop() {
        dropping = true;
    }

    private void pump(Socket from, Socket to, AtomicLong count) {
        byte[] buffer = new byte[4096];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (dropping) {
                    continue;
                }
                count.addAndGet(n);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
