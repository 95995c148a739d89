package dev.d2r2.broker.server;

import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.BufferedSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLContext;

/**
 * The network transport's listener: TLS 1.3 over TCP, one {@link RemoteSession} per connection,
 * within its {@link ConnectionLimits}.
 * On start it writes its address and certificate into the administrator's identity file, so
 * that CLI clients on the same machine reach it with no options.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    private final Broker broker;
    private final ServerSocket server;
    private final SSLContext tls;
    private final ConnectionGuard guard;
    private final AckFlusher ackFlusher = new AckFlusher();
    private final Thread acceptor;
    private volatile boolean closed;

    private BrokerServer(Broker broker, ServerSocket server, SSLContext tls, ConnectionLimits limits) {
        this.broker = broker;
        this.server = server;
        this.tls = tls;
        this.guard = new ConnectionGuard(limits, broker.metrics(), broker.clock());
        this.acceptor = Thread.ofPlatform().name("d2r2-broker-accept").daemon().unstarted(this::acceptLoop);
    }

    public static BrokerServer start(Broker broker, InetSocketAddress listen) throws IOException {
        return start(broker, listen, ConnectionLimits.DEFAULTS);
    }

    public static BrokerServer start(Broker broker, InetSocketAddress listen, ConnectionLimits limits) throws IOException {
        TlsMaterial tls = TlsMaterial.loadOrCreate(broker.dataDir());
        ServerSocket socket = BufferedSocket.listener();
        socket.setReuseAddress(true);
        socket.bind(listen, 512);
        BrokerServer s = new BrokerServer(broker, socket, tls.serverContext(), limits);
        String address = hostPort(socket.getInetAddress().getHostAddress(), socket.getLocalPort());
        noteAddress(broker, address, tls.certificatePem());
        s.acceptor.start();
        LOG.info("broker listening on {} (TLS), data in {}", address, broker.dataDir());
        return s;
    }

    /**
     * Writes the listener's address and certificate into the administrator's identity file when
     * they changed. A failure (a full disk) does not keep the broker from serving: it is logged.
     */
    private static void noteAddress(Broker broker, String address, String certificatePem) throws IOException {
        IdentityFile admin = IdentityFile.load(broker.adminIdentityPath());
        if (address.equals(admin.broker()) && certificatePem.equals(admin.brokerCertificatePem())) {
            return;
        }
        try {
            admin.withBroker(address, certificatePem).save(broker.adminIdentityPath());
        } catch (IOException e) {
            LOG.warn("cannot write the broker's address into {} ({}): clients must be given it", broker.adminIdentityPath(),
                    e.getMessage());
        }
    }

    private static String hostPort(String host, int port) {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host.equals("::") ? "::1" : host;
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket plain = server.accept();
                if (!guard.admit()) {
                    plain.close();
                    continue;
                }
                RemoteSession session = new RemoteSession(broker, plain, secure(plain), ackFlusher, guard);
                guard.add(session);
                session.start();
            } catch (SocketException e) {
                if (!closed) {
                    LOG.error("accept failed: {}", e.getMessage());
                }
            } catch (IOException e) {
                LOG.warn("accept failed: {}", e.getMessage());
            }
        }
    }

    private Socket secure(Socket plain) throws IOException {
        try {
            return TlsMaterial.layer(tls, plain, false);
        } catch (IOException | RuntimeException e) {
            plain.close();
            guard.handshakeEnded();
            guard.closed(null, null);
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing listener: {}", e.getMessage());
        }
        for (RemoteSession s : guard.sessions()) {
            s.close();
        }
        guard.close();
        ackFlusher.close();
    }
}
