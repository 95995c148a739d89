package dev.d2r2.broker.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on loopback for one connection, that can stop passing the broker's bytes to the
 * client (they are then lost) and cut the connection: a broker that took events whose
 * acknowledgements never reached the client.
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final CountDownLatch cut = new CountDownLatch(1);
    private volatile boolean holding;
    private volatile Socket client;
    private volatile Socket broker;

    CuttableProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept").start(this::accept);
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        try {
            client = listener.accept();
            broker = new Socket(target.getAddress(), target.getPort());
            Thread.ofPlatform().daemon().name("proxy-up").start(() -> pump(client, broker, false));
            Thread.ofPlatform().daemon().name("proxy-down").start(() -> pump(broker, client, true));
        } catch (IOException e) {
            // closed before a client came
        }
    }

    private void pump(Socket from, Socket to, boolean fromBroker) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (fromBroker && holding) {
                    cut.await();
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other pump or cut() closed the sockets
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From now on the broker's bytes stop at the relay. */
    void holdReplies() {
        holding = true;
    }

    /** Closes both sides: what the relay held is lost. */
    void cut() throws IOException {
        cut.countDown();
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        listener.close();
    }
}
