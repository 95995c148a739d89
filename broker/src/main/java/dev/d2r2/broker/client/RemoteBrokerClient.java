package dev.d2r2.broker.client;

import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.LogSpan;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.BufferedSocket;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.ControlRequest;
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
import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network transport: TLS 1.3 to a {@code BrokerServer}, pinned to the broker certificate of
 * the identity file, wire format of {@code Frames}. Publishing is pipelined (frames are batched
 * and flushed by a flusher thread when the publisher pauses, see {@link ClientWriter}). Handlers
 * run on the connection's reader thread ({@link ClientReader}), so a slow handler stops the
 * reading, TCP fills, and the broker's overflow policy takes over (back-pressure); a handler must
 * therefore not wait for this client's own acknowledgements.
 */
public final class RemoteBrokerClient implements BrokerClient {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteBrokerClient.class);

    private final IdentityFile credentials;
    private final SSLSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, RemotePublisher> publishers = new ConcurrentHashMap<>();
    private final Map<Integer, RemoteSubscription> subscriptions = new ConcurrentHashMap<>();
    private final ClientWriter writer;
    private final PendingRequests requests;
    private final ClientReader reader;
    private volatile BrokerException failure;

    private RemoteBrokerClient(IdentityFile credentials, SSLSocket socket, DataInputStream in, DataOutputStream out,
                               Duration linger) {
        this.credentials = credentials;
        this.socket = socket;
        this.writer = new ClientWriter(out, linger, this::fail);
        this.requests = new PendingRequests(writer, ids);
        this.reader = new ClientReader(in, requests, publishers, subscriptions, this::fail);
    }

    /** Connects to the broker named in the identity file. */
    public static RemoteBrokerClient connect(IdentityFile id) throws IOException {
        return connect(id, HostPort.parse(id.broker()));
    }

    public static RemoteBrokerClient connect(IdentityFile id, InetSocketAddress address) throws IOException {
        return connect(id, address, Duration.ZERO);
    }

    /**
     * {@code linger}: events published within this time of the first unwritten one go out in one
     * TLS record and one system call. For steady streams of small events (a monitor's samples)
     * a few milliseconds save much CPU; latency-sensitive publishers keep the default, zero.
     */
    public static RemoteBrokerClient connect(IdentityFile id, InetSocketAddress address, Duration linger) throws IOException {
        if (id.brokerCertificatePem().isEmpty()) {
            throw new IOException("identity " + id.name() + " names no broker certificate; has the broker been started?");
        }
        SSLContext tls = TlsMaterial.clientContext(id.brokerCertificatePem());
        BufferedSocket plain = new BufferedSocket();
        try {
            plain.connect(address, 10_000);
            plain.setTcpNoDelay(true);
            SSLSocket s = TlsMaterial.layer(tls, plain, true);
            s.setSoTimeout(30_000);
            s.startHandshake();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            ClientHandshake.perform(id, in, out);
            s.setSoTimeout(0);
            RemoteBrokerClient c = new RemoteBrokerClient(id, s, in, out, linger);
            c.reader.start();
            c.writer.start();
            return c;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    @Override
    public String identity() {
        return credentials.name();
    }

    @Override
    public byte[] register(String name, PublicKey signingKey, boolean admin) {
        return requests.call(new ControlRequest.Register(name, signingKey == null ? null : signingKey.getEncoded(), admin),
                ControlReply.Registered.class).secret();
    }

    @Override
    public void createChannel(ChannelSpec spec) {
        requests.call(new ControlRequest.CreateChannel(ChannelConfig.of(spec)), ControlReply.Done.class);
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        requests.call(new ControlRequest.AlterChannel(ChannelConfig.of(spec)), ControlReply.Done.class);
    }

    @Override
    public List<ChannelSpec> channels() {
        return requests.call(new ControlRequest.ListChannels(), ControlReply.ChannelList.class).channels().stream()
                .map(ChannelConfig::toSpec).toList();
    }

    @Override
    public ChannelSpec channel(String tag) {
        return requests.call(new ControlRequest.ShowChannel(tag), ControlReply.ChannelShown.class).channel().toSpec();
    }

    @Override
    public LogSpan logSpan(String tag) {
        return requests.call(new ControlRequest.ReadLogSpan(tag), ControlReply.LogSpanRead.class).span();
    }

    @Override
    public Publisher publisher(String tag) {
        ControlReply.PublisherOpened r = requests.call(new ControlRequest.OpenPublisher(tag), ControlReply.PublisherOpened.class);
        ChannelSealer sealer = new ChannelSealer(tag, r.protection(), credentials.name(), credentials.secret(),
                credentials.signingKey(), r.key());
        RemotePublisher pub = new RemotePublisher(tag, r.handle(), sealer, writer, requests, publishers);
        publishers.put(r.handle(), pub);
        return pub;
    }

    @Override
    public Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler) {
        RemoteSubscription sub = new RemoteSubscription(tag, handler, ids.incrementAndGet(), requests, subscriptions);
        subscriptions.put(sub.id(), sub);
        try {
            ControlReply.Subscribed r = requests.call(ControlRequest.Subscribe.of(tag, sub.id(), start),
                    ControlReply.Subscribed.class);
            sub.opened(new PayloadOpener(tag, r.key()));
        } catch (RuntimeException e) {
            subscriptions.remove(sub.id());
            sub.opened(null);
            throw e;
        }
        return sub;
    }

    private void fail(BrokerException e) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
        }
        writer.stop();
        requests.failAll(e);
        publishers.values().forEach(p -> p.failed(e));
        for (RemoteSubscription s : subscriptions.values()) {
            s.ended(e);
        }
        subscriptions.clear();
    }

    @Override
    public void close() {
        for (RemotePublisher p : publishers.values()) {
            p.drain();
        }
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        fail(new BrokerException(ErrorCode.DISCONNECTED, "client closed"));
    }
}
