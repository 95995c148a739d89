package dev.d2r2.broker.server;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.Identity;
import dev.d2r2.broker.wire.ControlCodec;
import dev.d2r2.broker.wire.ControlReply;
import dev.d2r2.broker.wire.FrameHandler;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The broker's side of HELLO → CHALLENGE → AUTH → RESPONSE: returns the authenticated identity
 * or throws (bad credentials are a BrokerException, anything else a ProtocolException). Frames
 * are limited to {@link Frames#MAX_HANDSHAKE_FRAME_BYTES} until it succeeds.
 */
final class ServerHandshake implements FrameHandler {
    private final Broker broker;
    private final SessionWriter writer;
    private String name;
    private byte[] nonce;
    private Identity identity;

    private ServerHandshake(Broker broker, SessionWriter writer) {
        this.broker = broker;
        this.writer = writer;
    }

    /**
     * Runs the handshake; {@code admit} sees the authenticated identity's name before the client is
     * welcomed, and refuses it by throwing a BrokerException.
     */
    static Identity perform(Broker broker, DataInputStream in, SessionWriter writer, Consumer<String> admit)
            throws IOException, ProtocolException {
        ServerHandshake h = new ServerHandshake(broker, writer);
        while (h.identity == null) {
            ByteBuffer f = Frames.read(in, Frames.MAX_HANDSHAKE_FRAME_BYTES);
            if (f == null) {
                throw new IOException("closed during handshake");
            }
            try {
                Frames.decode(f, h);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        admit.accept(h.identity.name());
        writer.response(0, 0, ControlCodec.encode(new ControlReply.Welcome(h.identity.name(), h.identity.admin())));
        writer.flush();
        return h.identity;
    }

    @Override
    public void onHello(int magic, int version, String identity) throws ProtocolException {
        if (name != null) {
            throw new ProtocolException("a second HELLO");
        }
        if (magic != Frames.MAGIC) {
            throw new ProtocolException("not a d2r2 client (bad magic)");
        }
        if (version != Frames.VERSION) {
            throw new ProtocolException("wire version " + version + " not supported (this broker speaks "
                    + Frames.VERSION + ")");
        }
        name = identity;
        nonce = Crypto.randomBytes(32);
        try {
            writer.challenge(nonce);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void onAuth(byte[] proof) throws ProtocolException {
        if (name == null) {
            throw new ProtocolException("AUTH before HELLO");
        }
        identity = broker.authenticate(name, nonce, proof);
    }
}
