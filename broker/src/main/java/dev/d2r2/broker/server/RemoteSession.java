package dev.d2r2.broker.server;

import dev.d2r2.broker.BrokerException;
import dev.d2r2.broker.ErrorCode;
import dev.d2r2.broker.MissingNotice;
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
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * One client connection. Its reader thread authenticates the client ({@link ServerHandshake}),
 * serves its requests ({@link SessionRequests}) and publishes its events, acknowledged by
 * {@link SessionAcks}; its pump thread writes deliveries. All writes go through one
 * {@link SessionWriter}. Any frame that breaks the wire format is answered with ERROR, counted,
 * and the connection closed; the broker carries on. An internal failure is logged and counted
 * here and reaches the client only as its code and a fixed message.
 */
final class RemoteSession implements DeliverySink, FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
    static final String INTERNAL_ERROR = "internal error; the broker's log has the details";

    private final Broker broker;
    private final Socket socket;
    private final AckFlusher ackFlusher;
    private final Consumer<RemoteSession> onClose;
    private final DeliveryPump pump;
    private SessionWriter writer;
    private Identity identity;
    private SealVerifier verifier;
    private SessionRequests requests;
    private SessionAcks acks;
    private volatile boolean closed;
    /** Fingerprints published envelopes (reader thread only). */
    private final CRC32C crc = new CRC32C();

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
            writer = new SessionWriter(new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024)));
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            identity = ServerHandshake.perform(broker, in, writer);
            socket.setSoTimeout(0);
            verifier = new SealVerifier(identity);
            requests = new SessionRequests(broker, identity, pump);
            acks = new SessionAcks(writer, ackFlusher, identity.name(), this::close);
            pump.start("d2r2-pump-" + identity.name());
            serve(in);
        } catch (ProtocolException e) {
            broker.metrics().malformedFrame();
            LOG.info("closing {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
            fatal(ErrorCode.BAD_REQUEST, e.getMessage());
        } catch (BrokerException e) {
            fatal(e.code(), clientReason(e));
        } catch (SocketTimeoutException e) {
            fatal(ErrorCode.UNAUTHENTICATED, "no handshake within " + HANDSHAKE_TIMEOUT_MS + " ms");
        } catch (IOException e) {
            LOG.debug("connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (RuntimeException e) {
            broker.metrics().internalError();
            LOG.error("session {} failed", socket.getRemoteSocketAddress(), e);
            fatal(ErrorCode.INTERNAL, INTERNAL_ERROR);
        } finally {
            close();
        }
    }

    private void serve(DataInputStream in) throws IOException, ProtocolException {
        while (!closed) {
            ByteBuffer f = Frames.read(in);
            if (f == null) {
                return;
            }
            try {
                Frames.decode(f, this);
            } catch (SessionIOException e) {
                throw e.getCause();
            }
            if (in.available() == 0) {
                acks.endOfBurst();
                writer.flushAnswers();
            }
        }
    }

    @Override
    public void onPublish(int handle, Envelope e) throws ProtocolException {
        OpenPublisher p = requests.publisher(handle);
        if (p == null) {
            throw new ProtocolException("publish on unknown publisher handle " + handle);
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
        writer.deliver(sub.id, offset, time, e);
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

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (requests != null) {
            requests.closeAll();
        }
        pump.stop();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
        onClose.accept(this);
    }
}
