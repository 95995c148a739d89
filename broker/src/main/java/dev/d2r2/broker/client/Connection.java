package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.security.BrokerReplica;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.BufferedSocket;
import dev.d2r2.core.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * One authenticated TLS session with one broker replica, pinned to that replica's certificate:
 * its reader and writer threads, its requests in flight and its publisher handles. A
 * {@link RemoteBrokerClient} has one at a time and opens another when it fails over.
 */
final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    final BrokerReplica replica;
    final ClientWriter writer;
    final PendingRequests requests;
    /** The broker's publisher handles on this connection, and their publishers (for ACKs). */
    final Map<Integer, RemotePublisher> publishers = new ConcurrentHashMap<>();
    private final SSLSocket socket;
    private final ClientReader reader;
    private volatile BrokerException failure;

    private Connection(BrokerReplica replica, SSLSocket socket, DataInputStream in, DataOutputStream out, Duration linger,
                       AtomicInteger ids, Map<Integer, RemoteSubscription> subscriptions,
                       BiConsumer<Connection, BrokerException> onFailure) {
        this.replica = replica;
        this.socket = socket;
        this.writer = new ClientWriter(out, linger, e -> failed(e, onFailure));
        this.requests = new PendingRequests(writer, ids);
        this.reader = new ClientReader(in, requests, publishers, subscriptions, e -> failed(e, onFailure));
    }

    /**
     * Connects, authenticates as {@code id} within {@code timeout} for each step (TCP, TLS, the
     * challenge) and starts the connection's threads.
     */
    static Connection open(IdentityFile id, BrokerReplica replica, Duration timeout, Duration linger, AtomicInteger ids,
                           Map<Integer, RemoteSubscription> subscriptions,
                           BiConsumer<Connection, BrokerException> onFailure) throws IOException {
        if (replica.certificatePem().isEmpty()) {
            throw new IOException("identity " + id.name() + " names no certificate for broker " + replica.address()
                    + "; has the broker been started?");
        }
        SSLContext tls = TlsMaterial.clientContext(replica.certificatePem());
        BufferedSocket plain = new BufferedSocket();
        try {
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            plain.connect(HostPort.parse(replica.address()), millis);
            plain.setTcpNoDelay(true);
            SSLSocket s = TlsMaterial.layer(tls, plain, true);
            s.setSoTimeout(millis);
            s.startHandshake();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            ClientHandshake.perform(id, in, out);
            s.setSoTimeout(0);
            Connection c = new Connection(replica, s, in, out, linger, ids, subscriptions, onFailure);
            c.reader.start();
            c.writer.start();
            return c;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private void failed(BrokerException e, BiConsumer<Connection, BrokerException> onFailure) {
        if (failure == null) {
            failure = e;
        }
        onFailure.accept(this, e);
    }

    /** Why the connection broke; null while it works. */
    BrokerException failure() {
        return failure;
    }

    /** Closes the socket (which also unblocks a writer stuck on a broker that stopped reading) and fails what waits. */
    void close(BrokerException why) {
        if (failure == null) {
            failure = why;
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        writer.stop();
        requests.failAll(why);
        publishers.clear();
    }

    /** After {@link #close}: waits until the reader has delivered its last frame. */
    void awaitReader() {
        reader.awaitExit();
    }
}
