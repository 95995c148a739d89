package dev.d2r2.broker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.broker.BrokerClient;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ChannelSpec;
import dev.d2r2.broker.Delivery;
import dev.d2r2.broker.DeliveryHandler;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.Protection;
import dev.d2r2.broker.Publisher;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.Subscription;
import dev.d2r2.broker.security.ChannelSealer;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.PayloadOpener;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.BufferedSocket;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.FlushPacer;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;
import dev.d2r2.core.Event;
import dev.d2r2.core.EventCodec;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network transport: TLS 1.3 to a {@code BrokerServer}, pinned to the broker certificate of
 * the identity file, wire format of {@link Frames}. Publishing is pipelined (frames are batched
 * and flushed by a flusher thread when the publisher pauses). Handlers run on the connection's
 * reader thread, so a slow handler stops the reading, TCP fills, and the broker's overflow
 * policy takes over (back-pressure); a handler must therefore not wait for this client's own
 * acknowledgements.
 */
public final class RemoteBrokerClient implements BrokerClient {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteBrokerClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final IdentityFile credentials;
    private final SSLSocket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicInteger requestIds = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<Integer, RemotePublisher> publishers = new ConcurrentHashMap<>();
    private final Map<Integer, RemoteSubscription> subscriptions = new ConcurrentHashMap<>();
    private final Thread reader;
    private final Thread flusher;
    private volatile boolean flushWanted;
    private volatile BrokerException failure;
    /** How long the flusher waits for more events before it writes (0: at once). */
    private final long lingerNanos;
    /** Spaces the flusher's flushes (flusher thread only). */
    private final FlushPacer pacer = new FlushPacer();

    private RemoteBrokerClient(IdentityFile credentials, SSLSocket socket, Duration linger) throws IOException {
        this.credentials = credentials;
        this.lingerNanos = linger.toNanos();
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        this.reader = Thread.ofPlatform().daemon().name("d2r2-client-reader").unstarted(this::readLoop);
        this.flusher = Thread.ofPlatform().daemon().name("d2r2-client-flusher").unstarted(this::flushLoop);
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
            RemoteBrokerClient c = new RemoteBrokerClient(id, s, linger);
            c.handshake();
            s.setSoTimeout(0);
            c.reader.start();
            c.flusher.start();
            return c;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private void handshake() throws IOException {
        byte[] name = Frames.utf8(credentials.name());
        Frames.writeHeader(out, 4 + 1 + 2 + name.length, Frames.HELLO);
        out.writeInt(Frames.MAGIC);
        out.writeByte(Frames.VERSION);
        Frames.writeStr(out, name);
        out.flush();
        try {
            ByteBuffer f = readFrame();
            int type = Frames.u8(f);
            if (type == Frames.ERROR) {
                throw error(f);
            }
            if (type != Frames.CHALLENGE) {
                throw new IOException("broker answered HELLO with frame type " + type);
            }
            byte[] proof = Crypto.authProof(credentials.secret(), Frames.bytes(f));
            Frames.writeHeader(out, 4 + proof.length, Frames.AUTH);
            out.writeInt(proof.length);
            out.write(proof);
            out.flush();
            f = readFrame();
            type = Frames.u8(f);
            if (type == Frames.ERROR) {
                throw error(f);
            }
            if (type != Frames.RESPONSE || Frames.i32(f) != 0 || Frames.u16(f) != 0) {
                throw new IOException("broker refused the handshake");
            }
        } catch (ProtocolException e) {
            throw new IOException("broker spoke an unknown protocol: " + e.getMessage(), e);
        }
    }

    private ByteBuffer readFrame() throws IOException, ProtocolException {
        ByteBuffer f = Frames.read(in);
        if (f == null) {
            throw new IOException("broker closed the connection");
        }
        return f;
    }

    private static BrokerException error(ByteBuffer f) throws ProtocolException {
        return new BrokerException(ErrorCode.of(Frames.u16(f)), stripCode(Frames.str(f)));
    }

    private static String stripCode(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && message.substring(0, colon).matches("[a-z_]+") ? message.substring(colon + 2) : message;
    }

    @Override
    public String identity() {
        return credentials.name();
    }

    private JsonNode call(Frames.Op op, JsonNode body) {
        BrokerException f = failure;
        if (f != null) {
            throw f;
        }
        int id = requestIds.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        try {
            byte[] b = JSON.writeValueAsBytes(body);
            writeLock.lock();
            try {
                Frames.writeHeader(out, 4 + 1 + 4 + b.length, Frames.REQUEST);
                out.writeInt(id);
                out.writeByte(op.ordinal());
                out.writeInt(b.length);
                out.write(b);
                out.flush();
            } finally {
                writeLock.unlock();
            }
            return result.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.DISCONNECTED, "broker connection lost: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BrokerException be ? be
                    : new BrokerException(ErrorCode.INTERNAL, e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerException(ErrorCode.DISCONNECTED, op + " got no answer within " + REQUEST_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(ErrorCode.DISCONNECTED, "interrupted");
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public byte[] register(String name, PublicKey signingKey, boolean admin) {
        ObjectNode b = JSON.createObjectNode().put("name", name).put("admin", admin);
        if (signingKey != null) {
            b.put("publicKey", Base64.getEncoder().encodeToString(signingKey.getEncoded()));
        }
        return Base64.getDecoder().decode(call(Frames.Op.REGISTER, b).path("secret").asText());
    }

    @Override
    public void createChannel(ChannelSpec spec) {
        call(Frames.Op.CREATE_CHANNEL, JSON.valueToTree(ChannelConfig.of(spec)));
    }

    @Override
    public void alterChannel(ChannelSpec spec) {
        call(Frames.Op.ALTER_CHANNEL, JSON.valueToTree(ChannelConfig.of(spec)));
    }

    @Override
    public List<ChannelSpec> channels() {
        List<ChannelSpec> out = new ArrayList<>();
        for (JsonNode n : call(Frames.Op.LIST_CHANNELS, JSON.createObjectNode()).path("channels")) {
            out.add(toSpec(n));
        }
        return out;
    }

    @Override
    public ChannelSpec channel(String tag) {
        return toSpec(call(Frames.Op.SHOW_CHANNEL, JSON.createObjectNode().put("tag", tag)).path("channel"));
    }

    private static ChannelSpec toSpec(JsonNode n) {
        try {
            return JSON.treeToValue(n, ChannelConfig.class).toSpec();
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INTERNAL, "unreadable channel from broker: " + e.getMessage(), e);
        }
    }

    @Override
    public Publisher publisher(String tag) {
        JsonNode r = call(Frames.Op.OPEN_PUBLISHER, JSON.createObjectNode().put("tag", tag));
        int handle = r.path("handle").asInt();
        Protection p = Protection.valueOf(r.path("protection").asText());
        byte[] key = Base64.getDecoder().decode(r.path("key").asText());
        RemotePublisher pub = new RemotePublisher(tag, handle,
                new ChannelSealer(tag, p, credentials.name(), credentials.secret(), credentials.signingKey(), key));
        publishers.put(handle, pub);
        return pub;
    }

    @Override
    public Subscription subscribe(String tag, StartPosition start, DeliveryHandler handler) {
        ObjectNode b = JSON.createObjectNode().put("tag", tag);
        switch (start) {
            case StartPosition.FromOffset o -> b.put("fromOffset", o.offset());
            case StartPosition.Since s -> b.put("since", s.timeMillis());
            case StartPosition.Live l -> { }
        }
        RemoteSubscription sub = new RemoteSubscription(tag, handler, requestIds.incrementAndGet());
        b.put("subscription", sub.id);
        subscriptions.put(sub.id, sub);
        try {
            JsonNode r = call(Frames.Op.SUBSCRIBE, b);
            sub.opener.complete(new PayloadOpener(tag, Base64.getDecoder().decode(r.path("key").asText())));
        } catch (RuntimeException e) {
            subscriptions.remove(sub.id);
            sub.opener.complete(null);
            throw e;
        }
        return sub;
    }

    private void readLoop() {
        byte[] reuse = new byte[64 * 1024];
        try {
            while (true) {
                // Every frame is handled (what is kept, copied) before the next is read into the same array.
                ByteBuffer f = Frames.read(in, Frames.MAX_FRAME_BYTES, reuse);
                if (f == null) {
                    fail(new BrokerException(ErrorCode.DISCONNECTED, "broker closed the connection"));
                    return;
                }
                handle(f);
            }
        } catch (IOException e) {
            fail(new BrokerException(ErrorCode.DISCONNECTED, "broker connection lost: " + e.getMessage(), e));
        } catch (ProtocolException e) {
            fail(new BrokerException(ErrorCode.BAD_REQUEST, "broker sent a malformed frame: " + e.getMessage()));
        }
    }

    private void handle(ByteBuffer f) throws ProtocolException {
        int type = Frames.u8(f);
        switch (type) {
            case Frames.RESPONSE -> {
                int id = Frames.i32(f);
                int status = Frames.u16(f);
                byte[] body = Frames.bytes(f);
                CompletableFuture<JsonNode> p = pending.get(id);
                if (p == null) {
                    return;
                }
                if (status == 0) {
                    try {
                        p.complete(JSON.readTree(body));
                    } catch (IOException e) {
                        p.completeExceptionally(new BrokerException(ErrorCode.INTERNAL, "unreadable response"));
                    }
                } else {
                    p.completeExceptionally(new BrokerException(ErrorCode.of(status),
                            stripCode(new String(body, StandardCharsets.UTF_8))));
                }
            }
            case Frames.ACK -> {
                RemotePublisher p = publishers.get(Frames.i32(f));
                if (p != null) {
                    p.acked(Frames.i64(f));
                }
            }
            case Frames.REFUSED -> {
                RemotePublisher p = publishers.get(Frames.i32(f));
                long seq = Frames.i64(f);
                BrokerException e = new BrokerException(ErrorCode.of(Frames.u16(f)), stripCode(Frames.str(f)));
                if (p != null) {
                    p.refused(seq, e);
                }
            }
            case Frames.DELIVER -> {
                RemoteSubscription s = subscriptions.get(Frames.i32(f));
                long offset = Frames.i64(f);
                long time = Frames.i64(f);
                Envelope e = Envelope.parse(f.array(), f.position(), f.remaining());
                if (s != null) {
                    s.deliver(offset, time, e);
                }
            }
            case Frames.MISSING -> {
                RemoteSubscription s = subscriptions.get(Frames.i32(f));
                MissingNotice n = new MissingNotice(s == null ? "" : s.tag, Frames.i64(f), Frames.i64(f),
                        Frames.i64(f), Frames.i64(f), Frames.i64(f));
                if (s != null) {
                    s.handler.onMissing(n);
                }
            }
            case Frames.ENDED -> {
                RemoteSubscription s = subscriptions.remove(Frames.i32(f));
                BrokerException e = new BrokerException(ErrorCode.of(Frames.u16(f)), stripCode(Frames.str(f)));
                if (s != null) {
                    s.handler.onClosed(e);
                }
            }
            case Frames.ERROR -> fail(error(f));
            default -> throw new ProtocolException("unexpected frame type " + type);
        }
    }

    private void fail(BrokerException e) {
        if (failure != null) {
            return;
        }
        failure = e;
        pending.values().forEach(p -> p.completeExceptionally(e));
        publishers.values().forEach(p -> p.failed(e));
        for (RemoteSubscription s : subscriptions.values()) {
            try {
                s.handler.onClosed(e);
            } catch (RuntimeException ex) {
                LOG.warn("subscriber handler failed on close: {}", ex.toString());
            }
        }
        subscriptions.clear();
    }

    private void flushLoop() {
        while (failure == null && !socket.isClosed()) {
            if (!flushWanted) {
                LockSupport.park(this);
                continue;
            }
            long wait = Math.max(lingerNanos, pacer.delay(System.nanoTime()));
            if (wait > 0) {
                // Publishers see flushWanted set meanwhile, so they do not wake this thread.
                LockSupport.parkNanos(wait);
            }
            flushWanted = false;
            writeLock.lock();
            try {
                out.flush();
                pacer.flushed(System.nanoTime());
            } catch (IOException e) {
                fail(new BrokerException(ErrorCode.DISCONNECTED, "broker connection lost: " + e.getMessage(), e));
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void wantFlush() {
        if (!flushWanted) {
            flushWanted = true;
            LockSupport.unpark(flusher);
        }
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
        LockSupport.unpark(flusher);
    }

    private final class RemoteSubscription implements Subscription {
        final String tag;
        final DeliveryHandler handler;
        final int id;
        final CompletableFuture<PayloadOpener> opener = new CompletableFuture<>();

        RemoteSubscription(String tag, DeliveryHandler handler, int id) {
            this.tag = tag;
            this.handler = handler;
            this.id = id;
        }

        /** Runs on the reader thread, which may get here before the subscribing thread has the key. */
        void deliver(long offset, long time, Envelope e) {
            PayloadOpener o = opener.join();
            if (o == null) {
                return;
            }
            byte[] payload = o.open(e);
            if (payload == null) {
                LOG.warn("channel {}: event {} does not decrypt under the channel key", tag, offset);
                return;
            }
            try {
                handler.onEvent(new Delivery(tag, offset, e.publisher(), e.sequence(), time, payload, null));
            } catch (RuntimeException ex) {
                LOG.warn("channel {}: subscriber handler failed on event {}: {}", tag, offset, ex.toString());
            }
        }

        @Override
        public String channel() {
            return tag;
        }

        @Override
        public void close() {
            if (subscriptions.remove(id) != null && failure == null) {
                call(Frames.Op.UNSUBSCRIBE, JSON.createObjectNode().put("subscription", id));
            }
        }
    }

    private final class RemotePublisher implements Publisher {
        private final String tag;
        private final int handle;
        private final ChannelSealer sealer;
        /** On SI channels, the publisher's name (UTF-8): its envelopes are written straight to the connection. */
        private final byte[] unsealed;
        private final Object ackMonitor = new Object();
        private final Map<Long, BrokerException> refusals = new ConcurrentHashMap<>();
        private long seq;
        private volatile long acked;
        private volatile BrokerException broken;

        RemotePublisher(String tag, int handle, ChannelSealer sealer) {
            this.tag = tag;
            this.handle = handle;
            this.sealer = sealer;
            this.unsealed = sealer.protection() == Protection.SI ? sealer.publisher().getBytes(StandardCharsets.UTF_8) : null;
        }

        @Override
        public String channel() {
            return tag;
        }

        @Override
        public long publish(Event event) {
            return publish(EventCodec.encode(event));
        }

        @Override
        public long publish(byte[] payload) {
            BrokerException f = broken;
            if (f != null) {
                throw f;
            }
            long s = seq + 1;
            long now = System.currentTimeMillis();
            byte[] env = unsealed != null ? null : sealer.seal(s, now, payload).bytes();
            writeLock.lock();
            try {
                Frames.writeHeader(out, 4 + (env != null ? env.length : Envelope.unsealedLength(unsealed, payload.length)),
                        Frames.PUBLISH);
                out.writeInt(handle);
                if (env != null) {
                    out.write(env);
                } else {
                    Envelope.writeUnsealed(out, unsealed, s, now, payload);
                }
            } catch (IOException e) {
                throw new BrokerException(ErrorCode.DISCONNECTED, "broker connection lost: " + e.getMessage(), e);
            } finally {
                writeLock.unlock();
            }
            seq = s;
            wantFlush();
            return s;
        }

        void acked(long s) {
            synchronized (ackMonitor) {
                acked = Math.max(acked, s);
                ackMonitor.notifyAll();
            }
        }

        void refused(long s, BrokerException e) {
            refusals.put(s, e);
            if (refusals.size() > 10_000) {
                refusals.clear();
            }
            LOG.warn("channel {}: event {} refused: {}", tag, s, e.getMessage());
        }

        void failed(BrokerException e) {
            synchronized (ackMonitor) {
                broken = e;
                ackMonitor.notifyAll();
            }
        }

        @Override
        public long acknowledged() {
            return acked;
        }

        @Override
        public void awaitAcknowledged(long s, Duration timeout) throws TimeoutException {
            wantFlush();
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (ackMonitor) {
                while (acked < s) {
                    if (broken != null) {
                        throw broken;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("event " + s + " on " + tag + " not acknowledged within " + timeout);
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(ackMonitor, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TimeoutException("interrupted");
                    }
                }
            }
            BrokerException refused = refusals.remove(s);
            if (refused != null) {
                throw refused;
            }
        }

        void drain() {
            if (seq > acked && broken == null) {
                try {
                    awaitAcknowledged(seq, Duration.ofSeconds(10));
                } catch (TimeoutException | BrokerException e) {
                    LOG.warn("channel {}: closing with events unacknowledged: {}", tag, e.getMessage());
                }
            }
        }

        @Override
        public void close() {
            drain();
            publishers.remove(handle);
            if (failure == null) {
                call(Frames.Op.CLOSE_PUBLISHER, JSON.createObjectNode().put("handle", handle));
            }
        }
    }
}
