package dev.d2r2.broker.server;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.Op;
import dev.d2r2.broker.wire.WireFrame;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Speaks the wire format frame by frame, to send what a well-behaved client never would. */
final class RawClient implements AutoCloseable {
    final SSLSocket socket;
    final DataInputStream in;
    final DataOutputStream out;

    /** One TLS context per broker certificate, so that many clients share its session cache (and resume). */
    private static final Map<String, SSLContext> CONTEXTS = new ConcurrentHashMap<>();

    private static SSLContext context(String certificatePem) {
        try {
            return TlsMaterial.clientContext(certificatePem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawClient(IdentityFile id, InetSocketAddress at) throws IOException {
        socket = (SSLSocket) CONTEXTS.computeIfAbsent(id.brokerCertificatePem(), RawClient::context)
                .getSocketFactory().createSocket();
        socket.connect(at, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Authenticates. */
    void handshake(IdentityFile id) throws Exception {
        Frames.writeHello(out, id.name());
        WireFrame.Challenge challenge = read(WireFrame.Challenge.class);
        Frames.writeAuth(out, Crypto.authProof(id.secret(), challenge.nonce()));
        read(WireFrame.Response.class);
    }

    /** Sends a request; returns the status and the body of the response. */
    String request(int id, Op op, String json) throws Exception {
        Frames.writeRequest(out, id, op, json.getBytes(StandardCharsets.UTF_8));
        WireFrame.Response r = read(WireFrame.Response.class);
        return r.status() + " " + new String(r.body(), StandardCharsets.UTF_8);
    }

    void publish(int handle, byte[] envelope) throws IOException {
        new WireFrame.Publish(handle, envelope).writeTo(out);
    }

    /** Reads frames until one of {@code type}. */
    <F extends WireFrame> F read(Class<F> type) throws Exception {
        while (true) {
            ByteBuffer f = Frames.read(in);
            if (f == null) {
                throw new IOException("closed by the broker");
            }
            WireFrame frame = WireFrame.decode(f);
            if (type.isInstance(frame)) {
                return type.cast(frame);
            }
            if (frame instanceof WireFrame.Error e) {
                throw new IOException("broker error " + e.code() + ": " + e.why());
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
