package dev.d2r2.broker.server;

import dev.d2r2.broker.security.Crypto;
import dev.d2r2.broker.security.IdentityFile;
import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.Frames;

import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Speaks the wire format frame by frame, to send what a well-behaved client never would. */
final class RawClient implements AutoCloseable {
    final SSLSocket socket;
    final DataInputStream in;
    final DataOutputStream out;

    RawClient(IdentityFile id, InetSocketAddress at) throws IOException {
        socket = (SSLSocket) TlsMaterial.clientContext(id.brokerCertificatePem()).getSocketFactory().createSocket();
        socket.connect(at, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Authenticates; returns the RESPONSE frame body. */
    void handshake(IdentityFile id) throws Exception {
        byte[] name = Frames.utf8(id.name());
        Frames.writeHeader(out, 4 + 1 + 2 + name.length, Frames.HELLO);
        out.writeInt(Frames.MAGIC);
        out.writeByte(Frames.VERSION);
        Frames.writeStr(out, name);
        ByteBuffer challenge = read(Frames.CHALLENGE);
        byte[] proof = Crypto.authProof(id.secret(), Frames.bytes(challenge));
        Frames.writeHeader(out, 4 + proof.length, Frames.AUTH);
        out.writeInt(proof.length);
        out.write(proof);
        read(Frames.RESPONSE);
    }

    String request(int id, Frames.Op op, String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        Frames.writeHeader(out, 4 + 1 + 4 + b.length, Frames.REQUEST);
        out.writeInt(id);
        out.writeByte(op.ordinal());
        out.writeInt(b.length);
        out.write(b);
        ByteBuffer r = read(Frames.RESPONSE);
        Frames.i32(r);
        int status = Frames.u16(r);
        return status + " " + new String(Frames.bytes(r), StandardCharsets.UTF_8);
    }

    void publish(int handle, byte[] envelope) throws IOException {
        Frames.writeHeader(out, 4 + envelope.length, Frames.PUBLISH);
        out.writeInt(handle);
        out.write(envelope);
    }

    /** Reads frames until one of {@code type}; returns it positioned after the type. */
    ByteBuffer read(byte type) throws Exception {
        while (true) {
            ByteBuffer f = Frames.read(in);
            if (f == null) {
                throw new IOException("closed by the broker");
            }
            int t = Frames.u8(f);
            if (t == type) {
                return f;
            }
            if (t == Frames.ERROR) {
                throw new IOException("broker error " + Frames.u16(f) + ": " + Frames.str(f));
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
