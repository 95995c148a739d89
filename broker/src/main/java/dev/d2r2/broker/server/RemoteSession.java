package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.security.SealVerifier;
import dev.d2r2.broker.wire.ControlCodec;
import dev.d2r2.broker.wire.ControlRequest;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.FrameHandler;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.Op;
import dev.d2r2.broker.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import javax.net.ssl.SSLSocket;

/**
 * One client connection. A virtual thread authenticates the client ({@link ServerHandshake}),
 * then a reader thread of its own serves its requests ({@link SessionRequests}) and publishes its
 * events, acknowledged by {@link SessionAcks}; a pump thread, started with the first
 * subscription, writes deliveries. All writes go through one {@link SessionWriter}. Any frame
 * that breaks the wire format is answered with ERROR, counted, and the connection closed; the
 * broker carries on. An internal failure is logged and counted here and reaches the client only
 * as its code and a fixed message. The {@link ConnectionGuard} watches the one deadline a session
 * has at a time (handshake, frame body, idle) and ends it when the deadline passes.
 */
final class RemoteSession implements DeliverySink, FrameHandler, AuthenticatedSession {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);
    static final String INTERNAL_ERROR = "internal error; the broker's log has the details";
    private static final long NEVER = Long.MAX_VALUE;
    /** After a deadline, how long the reader has to notice and say why before the socket is closed under it. */
    private static final long GRACE_NANOS = 1_000_000_000L;
    private static final int READ_BUFFER_BYTES = 16 * 1024;

    /** What a session's deadline limits. */
    private enum Deadline {
        NONE, HANDSHAKE, FRAME, IDLE;

        final String metric = name().toLowerCase();
    }

    private final Broker broker;
    private final Socket plain;
    private final Socket socket;
    private final AckFlusher ackFlusher;
    private final ConnectionGuard guard;
    private final ConnectionLimits limits;
    private final DeliveryPump pump;
    private DataInputStream in;
    private SessionWriter writer;
    private Identity identity;
    private SealVerifier verifier;
    private SessionRequests requests;
    private SessionAcks acks;
    private volatile boolean closed;
    /** The identity the guard counts this connection against, once admitted. */
    private volatile String admittedAs;
    private volatile long deadline = NEVER;
    private volatile Deadline armed = Deadline.NONE;
    private volatile Deadline expired;
    private volatile long closeAt = NEVER;
    /** Digests the payloads of digest copies (pump thread only). */
    private final MessageDigest sha256 = Crypto.sha256();
    /** Fingerprints published envelopes (reader thread only). */
    private final CRC32C crc = new CRC32C();
    /** Checks the seals of the events a forwarding replica sends, by publisher (reader thread only). */
    private final Map<Identity, SealVerifier> forwardedSeals = new HashMap<>();

    RemoteSession(Broker broker, Socket plain, Socket socket, AckFlusher ackFlusher, ConnectionGuard guard) {
        this.broker = broker;
        this.ackFlusher = ackFlusher;
        this.plain = plain;
        this.socket = socket;
        this.guard = guard;
        this.limits = guard.limits();
        this.pump = new DeliveryPump(this, broker.metrics());
    }

    void start() {
        arm(Deadline.HANDSHAKE, limits.handshakeTimeout().toNanos());
        Thread.ofVirtual().name("d2r2-handshake-" + socket.getRemoteSocketAddress()).start(() -> run(this::login));
    }

    private interface Step {
        /** Runs a step of the session; returns whether the session is over when it returns. */
        boolean run() throws IOException, ProtocolException, InterruptedException;
    }

    private void run(Step step) {
        boolean over = true;
        try {
            over = step.run();
        } catch (ProtocolException e) {
            broker.metrics().malformedFrame();
            LOG.info("closing {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
            fatal(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (BrokerException e) {
            fatal(e.code(), clientReason(e));
        } catch (IOException | InterruptedException e) {
            if (expired == null) {
                LOG.debug("connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
            }
        } catch (RuntimeException e) {
            broker.metrics().internalError();
            LOG.error("session {} failed", socket.getRemoteSocketAddress(), e);
            fatal(ErrorCode.INTERNAL, INTERNAL_ERROR);
        } finally {
            if (over) {
                sayWhyExpired();
                close();
            }
        }
    }

    /** Authenticates the client, then hands the connection to a platform thread to serve. */
    private boolean login() throws IOException, ProtocolException {
        try {
            socket.setTcpNoDelay(true);
            if (!tlsHandshake()) {
                return true;
            }
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), READ_BUFFER_BYTES));
            writer = new SessionWriter(new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024)));
            identity = ServerHandshake.perform(broker, in, writer, name -> {
                guard.admitIdentity(name);
                admittedAs = name;
            });
        } finally {
            guard.handshakeEnded();
        }
        verifier = new SealVerifier(identity);
        requests = new SessionRequests(broker, identity, pump);
        acks = new SessionAcks(writer, ackFlusher, identity.name(), this::logFailed);
        pump.name("d2r2-pump-" + identity.name());
        arm(Deadline.NONE, 0);
        broker.sessionOpened(this);
        Thread.ofPlatform().daemon().name("d2r2-session-" + identity.name()).start(() -> run(this::serve));
        return false;
    }

    /**
     * Runs the TLS handshake before any d2r2 frame, so that a connection refused there (plain
     * text, an old protocol, no common suite, a peer that hangs up) is told apart from one that
     * ended later: counted by reason and logged, rate-limited. False when it failed.
     */
    private boolean tlsHandshake() {
        if (!(socket instanceof SSLSocket tls)) {
            return true;
        }
        try {
            tls.startHandshake();
            return true;
        } catch (IOException e) {
            if (expired == null) {
                broker.tlsHandshakeFailed(String.valueOf(socket.getRemoteSocketAddress()), e);
            }
            return false;
        }
    }

    private boolean serve() throws IOException, ProtocolException, InterruptedException {
        while (!closed) {
            if (requests.holdsNothing()) {
                arm(Deadline.IDLE, limits.idleTimeout().toNanos());
            } else if (armed != Deadline.NONE) {
                arm(Deadline.NONE, 0);
            }
            int length = Frames.readLength(in, Frames.MAX_FRAME_BYTES);
            if (length < 0) {
                return true;
            }
            boolean large = length > ConnectionLimits.SMALL_FRAME_BYTES;
            if (large) {
                arm(Deadline.NONE, 0);
                guard.reserveFrame(length);
            }
            if (large || in.available() < length) {
                arm(Deadline.FRAME, limits.frameTimeout().toNanos());
            }
            try {
                byte[] frame = new byte[length];
                in.readFully(frame);
                if (armed != Deadline.NONE) {
                    // Handling a frame may wait (a full queue with overflow: block): that is not the client stalling.
                    arm(Deadline.NONE, 0);
                }
                Frames.decode(ByteBuffer.wrap(frame), this);
            } catch (SessionIOException e) {
                throw e.getCause();
            } finally {
                if (large) {
                    guard.releaseFrame(length);
                }
            }
            if (in.available() == 0) {
                acks.endOfBurst();
                writer.flushAnswers();
            }
        }
        return true;
    }

    private void arm(Deadline what, long inNanos) {
        deadline = NEVER;
        armed = what;
        if (what != Deadline.NONE) {
            deadline = guard.nanos() + inNanos;
        }
    }

    /**
     * The guard's check: past the deadline, the session's input is shut so that its thread wakes,
     * says why and closes; if it has not within a grace period, the socket is closed under it.
     */
    void checkDeadline(long now) {
        if (expired == null && deadline != NEVER && now - deadline >= 0) {
            Deadline what = armed;
            if (what == Deadline.NONE) {
                return;
            }
            expired = what;
            closeAt = now + GRACE_NANOS;
            guard.timedOut(what.metric);
            try {
                plain.shutdownInput();
            } catch (IOException e) {
                forceClose();
            }
        } else if (closeAt != NEVER && now - closeAt >= 0) {
            forceClose();
        }
    }

    private void sayWhyExpired() {
        Deadline what = expired;
        if (what == null) {
            return;
        }
        String why = switch (what) {
            case HANDSHAKE -> "no handshake within " + limits.handshakeTimeout().toMillis() + " ms";
            case FRAME -> "a frame's body did not arrive within " + limits.frameTimeout().toMillis() + " ms";
            case IDLE -> "idle for " + limits.idleTimeout().toMillis() + " ms with nothing open";
            case NONE -> throw new IllegalStateException();
        };
        LOG.info("closing {}{}: {}", socket.getRemoteSocketAddress(), identity == null ? "" : " (" + identity.name() + ")", why);
        fatal(what == Deadline.HANDSHAKE ? ErrorCode.UNAUTHENTICATED : ErrorCode.LIMIT, why);
    }

    @Override
    public void onPublish(int handle, Envelope e) throws ProtocolException {
        OpenPublisher p = requests.publisher(handle);
        if (p == null) {
            throw new ProtocolException("publish on unknown publisher handle " + handle);
        }
        if (broker.replicates(p.channel)) {
            try {
                broker.publishReplicated(identity, verifier, p.channel, e,
                        acks.whenCommitted(handle, e.sequence(), this::notCommitted));
            } catch (BrokerException ex) {
                write(() -> writer.refused(handle, e.sequence(), ex.code(), clientReason(ex)));
            }
            return;
        }
        long offset = -1;
        try {
            offset = broker.publish(identity, verifier, p.channel, e, e.fingerprint(crc));
        } catch (BrokerException ex) {
            write(() -> writer.refused(handle, e.sequence(), ex.code(), clientReason(ex)));
        } catch (IOException ex) {
            throw new SessionIOException(ex);
        }
        acks.published(p, e.sequence(), offset);
    }

    /**
     * A copy of another publisher's event, forwarded by a replica: taken once or refused and
     * counted ({@link Broker#takeForwarded}), never answered. A client that may not forward at
     * all is told so and disconnected.
     */
    @Override
    public void onForward(int handle, Envelope e) throws ProtocolException {
        OpenPublisher p = requests.publisher(handle);
        if (p == null) {
            throw new ProtocolException("forward on unknown publisher handle " + handle);
        }
        try {
            broker.takeForwarded(identity, p.channel, e, forwardedSeals);
        } catch (BrokerException ex) {
            if (ex.code() == ErrorCode.FORBIDDEN && !identity.admin()) {
                throw ex;
            }
            LOG.debug("{}: forwarded event {}#{} on {} refused: {}", identity.name(), e.publisher(), e.sequence(),
                    p.channel.tag(), ex.getMessage());
        }
    }

    @Override
    public void onRequest(int id, Op op, byte[] body) throws ProtocolException {
        try {
            ControlRequest request = ControlCodec.decodeRequest(op, body);
            byte[] reply = ControlCodec.encode(requests.handle(request));
            write(() -> writer.response(id, 0, reply));
            requests.replied();
        } catch (BrokerException e) {
            write(() -> writer.response(id, e.code().code(), Frames.reason(clientReason(e))));
        } catch (IllegalArgumentException e) {
            broker.metrics().refused("bad_request");
            write(() -> writer.response(id, ErrorCode.BAD_REQUEST.code(), Frames.reason(e.getMessage())));
        }
    }

    /**
     * What the client is told of a refusal: its reason, except for internal failures, whose
     * detail (paths, exception text) stays in the broker's log and is counted.
     */
    private String clientReason(BrokerException e) {
        if (e.code() != ErrorCode.INTERNAL) {
            return e.reason();
        }
        broker.metrics().internalError();
        LOG.error("{}: {}", identity == null ? socket.getRemoteSocketAddress() : identity.name(), e.getMessage(), e);
        return INTERNAL_ERROR;
    }

    private interface Write {
        void run() throws IOException;
    }

    private static void write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new SessionIOException(e);
        }
    }

    /** Carries a connection failure out of a frame handler, whose methods may only throw ProtocolException. */
    private static final class SessionIOException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SessionIOException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    @Override
    public void deliver(ServerSubscription sub, long offset, long time, Envelope e) throws IOException {
        if (sub.copies.digests()) {
            sub.copies.sent(offset, time, e);
            writer.digest(sub.id, offset, time, e, e.payloadDigest(sha256));
        } else {
            writer.deliver(sub.id, offset, time, e);
        }
    }

    @Override
    public void missing(ServerSubscription sub, MissingNotice n) throws IOException {
        writer.missing(sub.id, n);
    }

    @Override
    public long idle() throws IOException {
        return writer.idle();
    }

    @Override
    public void ended(ServerSubscription sub, BrokerException cause) {
        requests.subscriptionEnded(sub);
        try {
            writer.ended(sub.id, cause.code(), clientReason(cause));
        } catch (IOException e) {
            LOG.debug("cannot tell {} its subscription ended: {}", identity.name(), e.toString());
        }
        if (cause.code() == ErrorCode.DISCONNECTED) {
            close();
        }
    }

    @Override
    public String identityName() {
        return identity.name();
    }

    @Override
    public void revoked(BrokerException why) {
        LOG.info("closing {} ({}): {}", socket.getRemoteSocketAddress(), identity.name(), why.reason());
        Thread.ofVirtual().name("d2r2-revoke-" + identity.name()).start(() -> {
            fatal(why.code(), why.reason());
            close();
        });
    }

    /** A log this session published to failed a write: its unacknowledged events are lost, and it is told why. */
    private void logFailed(ChannelRuntime ch) {
        BrokerException why = broker.logFailure(ch);
        fatal(why.code(), clientReason(why));
        close();
    }

    /** An event on a replicated channel was not committed: the session ends, so its publisher sends it again (elsewhere). */
    private void notCommitted(String reason) {
        LOG.warn("{}: an event on a replicated channel was not committed: {}", identity.name(), reason);
        fatal(ErrorCode.DISCONNECTED, "an event was not committed by the cluster; publish it again");
        close();
    }

    private void fatal(ErrorCode code, String message) {
        if (writer == null) {
            return;
        }
        try {
            writer.error(code, message);
        } catch (IOException e) {
            LOG.debug("cannot send error: {}", e.toString());
        }
    }

    /** Closes the TCP connection first, so that no TLS close can wait on a peer that does not read. */
    private void forceClose() {
        try {
            plain.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        close();
    }

    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (requests != null) {
            requests.closeAll();
        }
        pump.stop();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        guard.closed(this, admittedAs);
        broker.sessionClosed(this);
    }
}
