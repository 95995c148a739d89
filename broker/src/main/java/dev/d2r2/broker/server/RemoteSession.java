package dev.d2r2.broker.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ChannelConfig;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.StartPosition;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.FlushPacer;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One client connection. Its reader thread authenticates the client, serves its requests and
 * publishes its events; after each burst of input it forces the logs that need it and sends one
 * cumulative acknowledgement per publisher (group commit). Its pump thread writes deliveries.
 * Any frame that breaks the wire format is answered with ERROR, counted, and the connection
 * closed; the broker carries on.
 */
final class RemoteSession implements DeliverySink {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private final Broker broker;
    private final Socket socket;
    private final Consumer<RemoteSession> onClose;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final DeliveryPump pump;
    private final Map<Integer, OpenPublisher> publishers = new HashMap<>();
    private final Map<Integer, ServerSubscription> subscriptions = new ConcurrentHashMap<>();
    private final Set<OpenPublisher> unacked = new HashSet<>();
    private DataOutputStream out;
    private Identity identity;
    private SealVerifier verifier;
    private int nextHandle;
    private Runnable afterResponse;
    private final AckFlusher ackFlusher;
    /** (publisher handle, sequence) pairs that are durable and wait for the ACK flusher to send them. */
    private final java.util.Queue<long[]> durableAcks = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Publishers whose events were published and wait for the ACK flusher to be acknowledged. */
    private final java.util.Queue<OpenPublisher> ackDue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean ackScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** A response or refusal was written in this burst and must not wait for the ACK flusher. */
    private boolean answered;
    private volatile boolean closed;
    /** Spaces the pump's flushes of deliveries (pump thread only). */
    private final FlushPacer deliveryPacer = new FlushPacer();
    /** Deliveries were written since the pump's last flush (pump thread only). */
    private boolean undelivered;

    RemoteSession(Broker broker, Socket socket, AckFlusher ackFlusher, Consumer<RemoteSession> onClose) {
        this.broker = broker;
        this.ackFlusher = ackFlusher;
        this.socket = socket;
        this.onClose = onClose;
        this.pump = new DeliveryPump(this, broker.metrics());
    }

    void start() {
        Thread.ofPlatform().daemon().name("d2r2-session-" + socket.getRemoteSocketAddress()).start(this::run);
    }

    private void run() {
        try {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            handshake(in);
            socket.setSoTimeout(0);
            pump.start("d2r2-pump-" + identity.name());
            serve(in);
        } catch (ProtocolException e) {
            broker.metrics().malformedFrame();
            LOG.info("closing {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
            fatal(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (BrokerException e) {
            fatal(e.code(), e.getMessage());
        } catch (SocketTimeoutException e) {
            fatal(ErrorCode.UNAUTHENTICATED, "no handshake within " + HANDSHAKE_TIMEOUT_MS + " ms");
        } catch (IOException e) {
            LOG.debug("connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (RuntimeException e) {
            LOG.error("session {} failed", socket.getRemoteSocketAddress(), e);
            fatal(ErrorCode.INTERNAL, e.toString());
        } finally {
            close();
        }
    }

    private void handshake(DataInputStream in) throws IOException, ProtocolException {
        ByteBuffer hello = expect(in, Frames.HELLO);
        if (Frames.i32(hello) != Frames.MAGIC) {
            throw new ProtocolException("not a d2r2 client (bad magic)");
        }
        int version = Frames.u8(hello);
        if (version != Frames.VERSION) {
            throw new ProtocolException("wire version " + version + " not supported (this broker speaks "
                    + Frames.VERSION + ")");
        }
        String name = Frames.str(hello);
        byte[] nonce = Crypto.randomBytes(32);
        writeLock.lock();
        try {
            Frames.writeHeader(out, 4 + nonce.length, Frames.CHALLENGE);
            out.writeInt(nonce.length);
            out.write(nonce);
            out.flush();
        } finally {
            writeLock.unlock();
        }
        byte[] proof = Frames.bytes(expect(in, Frames.AUTH));
        identity = broker.authenticate(name, nonce, proof);
        verifier = new SealVerifier(identity);
        respond(0, 0, JSON.createObjectNode().put("identity", identity.name()).put("admin", identity.admin()));
        flush();
    }

    private static ByteBuffer expect(DataInputStream in, byte type) throws IOException, ProtocolException {
        ByteBuffer f = Frames.read(in, Frames.MAX_HANDSHAKE_FRAME_BYTES);
        if (f == null) {
            throw new IOException("closed during handshake");
        }
        int t = Frames.u8(f);
        if (t != type) {
            throw new ProtocolException("expected frame type " + type + ", got " + t);
        }
        return f;
    }

    private void serve(DataInputStream in) throws IOException, ProtocolException {
        while (!closed) {
            ByteBuffer f = Frames.read(in);
            if (f == null) {
                return;
            }
            int type = Frames.u8(f);
            switch (type) {
                case Frames.PUBLISH -> publish(f);
                case Frames.REQUEST -> request(f);
                default -> throw new ProtocolException("unexpected frame type " + type);
            }
            if (in.available() == 0) {
                endOfBurst();
                if (answered) {
                    answered = false;
                    flush();
                }
            }
        }
    }

    private void publish(ByteBuffer f) throws IOException, ProtocolException {
        int handle = Frames.i32(f);
        OpenPublisher p = publishers.get(handle);
        if (p == null) {
            throw new ProtocolException("publish on unknown publisher handle " + handle);
        }
        Envelope e = Envelope.parse(f.array(), f.position(), f.remaining());
        try {
            p.lastOffset = broker.publish(identity, verifier, p.channel, e);
        } catch (BrokerException ex) {
            refuse(handle, e.sequence(), ex);
        }
        p.lastSeq = e.sequence();
        unacked.add(p);
    }

    /**
     * Acknowledges the burst's events once they are durable. Publishers with events to acknowledge
     * are queued for the {@link AckFlusher}, which within about {@link AckFlusher#DELAY_NANOS}
     * writes their channels' logs to the file and then their ACK frames: a steady stream of small
     * bursts costs one log write and one socket write per millisecond instead of one per burst
     * (small writes to a growing file cost several times more per byte than large ones). Channels
     * with {@code fsync: always} acknowledge after their {@link GroupCommitter}'s force instead.
     */
    private void endOfBurst() {
        if (unacked.isEmpty()) {
            return;
        }
        for (OpenPublisher p : unacked) {
            if (p.channel.syncsBeforeAck()) {
                int handle = p.handle;
                long seq = p.lastSeq;
                p.channel.whenDurable(p.lastOffset, () -> {
                    durableAcks.add(new long[]{handle, seq});
                    scheduleAckFlush();
                });
            } else {
                p.ackDue = p.lastSeq;
                if (!p.queued.getAndSet(true)) {
                    ackDue.add(p);
                }
            }
        }
        unacked.clear();
        if (!ackDue.isEmpty()) {
            scheduleAckFlush();
        }
    }

    /** Writes one ACK frame into the buffer; the caller holds the write lock. */
    private void writeAck(int handle, long seq) throws IOException {
        Frames.writeHeader(out, 12, Frames.ACK);
        out.writeInt(handle);
        out.writeLong(seq);
    }

    private void scheduleAckFlush() {
        if (!ackScheduled.getAndSet(true)) {
            ackFlusher.schedule(this);
        }
    }

    /**
     * Writes the due publishers' logs, then their ACK frames, and flushes; called by the
     * {@link AckFlusher}. The logs are written before the connection is locked, so deliveries
     * are not held up by the file. A log that cannot be written ends the session, so its
     * publisher learns that its unacknowledged events may be lost.
     */
    void flushAcks() {
        ackScheduled.set(false);
        OpenPublisher p;
        while ((p = ackDue.poll()) != null) {
            p.queued.set(false);
            long seq = p.ackDue;
            if (!writeLog(p.channel)) {
                close();
                return;
            }
            durableAcks.add(new long[]{p.handle, seq});
        }
        if (durableAcks.isEmpty()) {
            return;
        }
        if (!writeLock.tryLock()) {
            // Another thread is writing (maybe blocked on a slow client): try again next round.
            scheduleAckFlush();
            return;
        }
        try {
            long[] ack;
            while ((ack = durableAcks.poll()) != null) {
                writeAck((int) ack[0], ack[1]);
            }
            out.flush();
        } catch (IOException e) {
            LOG.debug("flushing acks to {}: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    private boolean writeLog(ChannelRuntime channel) {
        try {
            channel.flushLog();
            return true;
        } catch (IOException e) {
            LOG.error("channel {}: log write failed, closing the session of {} with events unacknowledged: {}",
                    channel.tag(), identity.name(), e.toString());
            return false;
        }
    }

    private void refuse(int handle, long seq, BrokerException ex) throws IOException {
        byte[] why = Frames.utf8(truncate(ex.getMessage()));
        writeLock.lock();
        try {
            answered = true;
            Frames.writeHeader(out, 4 + 8 + 2 + 2 + why.length, Frames.REFUSED);
            out.writeInt(handle);
            out.writeLong(seq);
            out.writeShort(ex.code().code());
            Frames.writeStr(out, why);
        } finally {
            writeLock.unlock();
        }
    }

    private void request(ByteBuffer f) throws IOException, ProtocolException {
        int id = Frames.i32(f);
        Frames.Op op = Frames.Op.of(Frames.u8(f));
        JsonNode body;
        try {
            body = JSON.readTree(Frames.bytes(f));
        } catch (IOException e) {
            throw new ProtocolException("request " + id + ": body is not JSON");
        }
        try {
            respond(id, 0, handle(op, body == null ? JSON.createObjectNode() : body));
            if (afterResponse != null) {
                afterResponse.run();
                afterResponse = null;
            }
        } catch (BrokerException e) {
            respondError(id, e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            broker.metrics().refused("bad_request");
            respondError(id, ErrorCode.BAD_REQUEST, "bad_request: " + e.getMessage());
        }
    }

    private JsonNode handle(Frames.Op op, JsonNode body) throws IOException {
        ObjectNode ok = JSON.createObjectNode();
        switch (op) {
            case REGISTER -> {
                JsonNode key = body.get("publicKey");
                byte[] secret = broker.register(identity, text(body, "name"),
                        key == null || key.isNull() ? null : Crypto.publicKey(Base64.getDecoder().decode(key.asText())),
                        body.path("admin").asBoolean(false));
                ok.put("secret", Base64.getEncoder().encodeToString(secret));
            }
            case CREATE_CHANNEL -> broker.createChannel(identity, channelConfig(body).toSpec());
            case ALTER_CHANNEL -> broker.alterChannel(identity, channelConfig(body).toSpec());
            case LIST_CHANNELS -> {
                var arr = ok.putArray("channels");
                broker.channels(identity).forEach(s -> arr.add(JSON.valueToTree(ChannelConfig.of(s))));
            }
            case SHOW_CHANNEL -> ok.set("channel", JSON.valueToTree(ChannelConfig.of(broker.channel(identity, text(body, "tag")))));
            case OPEN_PUBLISHER -> {
                ChannelRuntime ch = broker.openPublisher(identity, text(body, "tag"));
                int handle = ++nextHandle;
                publishers.put(handle, new OpenPublisher(handle, ch));
                ok.put("handle", handle);
                ok.put("protection", ch.spec().channelClass().protection().name());
                ok.put("key", Base64.getEncoder().encodeToString(ch.key()));
            }
            case CLOSE_PUBLISHER -> publishers.remove(body.path("handle").asInt());
            case SUBSCRIBE -> {
                String tag = text(body, "tag");
                StartPosition start = body.has("fromOffset") ? StartPosition.fromOffset(body.get("fromOffset").asLong())
                        : body.has("since") ? StartPosition.since(body.get("since").asLong()) : StartPosition.live();
                int id = body.path("subscription").asInt(-1);
                if (id < 0 || subscriptions.containsKey(id)) {
                    throw new IllegalArgumentException("subscription id " + id + " missing or in use");
                }
                ServerSubscription sub = broker.subscribe(identity, tag, start, pump, id);
                subscriptions.put(id, sub);
                afterResponse = () -> pump.add(sub);
                ok.put("subscription", id);
                ok.put("key", Base64.getEncoder().encodeToString(sub.channel.key()));
            }
            case UNSUBSCRIBE -> {
                ServerSubscription sub = subscriptions.remove(body.path("subscription").asInt());
                if (sub != null) {
                    broker.unsubscribe(sub);
                }
            }
        }
        return ok;
    }

    private static ChannelConfig channelConfig(JsonNode body) throws IOException {
        try {
            return JSON.treeToValue(body, ChannelConfig.class);
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(root instanceof IllegalArgumentException ? root.getMessage()
                    : "not a channel: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("request lacks \"" + field + "\"");
        }
        return v.asText();
    }

    private void respond(int id, int status, JsonNode body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        writeResponse(id, status, b);
    }

    private void respondError(int id, ErrorCode code, String message) throws IOException {
        writeResponse(id, code.code(), Frames.utf8(truncate(message)));
    }

    private void writeResponse(int id, int status, byte[] body) throws IOException {
        writeLock.lock();
        try {
            answered = true;
            Frames.writeHeader(out, 4 + 2 + 4 + body.length, Frames.RESPONSE);
            out.writeInt(id);
            out.writeShort(status);
            out.writeInt(body.length);
            out.write(body);
        } finally {
            writeLock.unlock();
        }
    }

    private void flush() throws IOException {
        writeLock.lock();
        try {
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void deliver(ServerSubscription sub, long offset, long time, Envelope e) throws IOException {
        writeLock.lock();
        try {
            undelivered = true;
            Frames.writeHeader(out, 4 + 8 + 8 + e.length(), Frames.DELIVER);
            out.writeInt(sub.id);
            out.writeLong(offset);
            out.writeLong(time);
            out.write(e.array(), e.offset(), e.length());
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void missing(ServerSubscription sub, MissingNotice n) throws IOException {
        writeLock.lock();
        try {
            undelivered = true;
            Frames.writeHeader(out, 4 + 5 * 8, Frames.MISSING);
            out.writeInt(sub.id);
            out.writeLong(n.fromOffset());
            out.writeLong(n.toOffset());
            out.writeLong(n.count());
            out.writeLong(n.fromTime());
            out.writeLong(n.toTime());
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long idle() throws IOException {
        if (!undelivered) {
            return 0;
        }
        long now = System.nanoTime();
        long wait = deliveryPacer.delay(now);
        if (wait > 0) {
            return wait;
        }
        undelivered = false;
        flush();
        deliveryPacer.flushed(now);
        return 0;
    }

    @Override
    public void ended(ServerSubscription sub, BrokerException cause) {
        subscriptions.remove(sub.id);
        byte[] why = Frames.utf8(truncate(cause.getMessage()));
        writeLock.lock();
        try {
            Frames.writeHeader(out, 4 + 2 + 2 + why.length, Frames.ENDED);
            out.writeInt(sub.id);
            out.writeShort(cause.code().code());
            Frames.writeStr(out, why);
            out.flush();
        } catch (IOException e) {
            LOG.debug("cannot tell {} its subscription ended: {}", identity.name(), e.toString());
        } finally {
            writeLock.unlock();
        }
        if (cause.code() == ErrorCode.DISCONNECTED) {
            close();
        }
    }

    private void fatal(ErrorCode code, String message) {
        if (out == null) {
            return;
        }
        byte[] why = Frames.utf8(truncate(message));
        writeLock.lock();
        try {
            Frames.writeHeader(out, 2 + 2 + why.length, Frames.ERROR);
            out.writeShort(code.code());
            Frames.writeStr(out, why);
            out.flush();
        } catch (IOException e) {
            LOG.debug("cannot send error: {}", e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    private static String truncate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) : s;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ServerSubscription s : subscriptions.values()) {
            broker.unsubscribe(s);
        }
        subscriptions.clear();
        pump.stop();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        onClose.accept(this);
    }

    private static final class OpenPublisher {
        final int handle;
        final ChannelRuntime channel;
        long lastSeq;
        long lastOffset = -1;
        /** The sequence number to acknowledge once the log is written (set by the reader, read by the ACK flusher). */
        volatile long ackDue;
        final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();

        OpenPublisher(int handle, ChannelRuntime channel) {
            this.handle = handle;
            this.channel = channel;
        }
    }
}
