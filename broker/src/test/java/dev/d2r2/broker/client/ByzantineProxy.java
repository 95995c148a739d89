package dev.d2r2.broker.client;

import dev.d2r2.broker.security.TlsMaterial;
import dev.d2r2.broker.wire.Envelope;
import dev.d2r2.broker.wire.Frames;
import dev.d2r2.broker.wire.ProtocolException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault-injection switch of the voted-delivery tests, in test code only: a replica turned
 * Byzantine. It stands between a broker and its subscribers with a TLS certificate of its own
 * (the subscriber's identity file pins it, as it would pin a lying replica's) and rewrites what
 * the broker delivers, whole events and digest copies alike, by turns: honest, payload (or
 * digest) tampered, sequence number forged, an older event replayed, dropped, and equivocated
 * (the honest event, then a tampered copy). {@link Mode#SILENT} drops them all instead.
 */
final class ByzantineProxy implements AutoCloseable {
    enum Mode {
        LIAR, SILENT
    }

    private final Mode mode;
    private final ServerSocket server;
    private final SSLContext serverTls;
    private final SSLContext brokerTls;
    private final InetSocketAddress broker;
    final AtomicLong tampered = new AtomicLong();
    final AtomicLong forged = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final String certificatePem;

    ByzantineProxy(Path dir, InetSocketAddress broker, String brokerCertificatePem) throws IOException {
        this(dir, broker, brokerCertificatePem, Mode.LIAR);
    }

    ByzantineProxy(Path dir, InetSocketAddress broker, String brokerCertificatePem, Mode mode) throws IOException {
        this.mode = mode;
        TlsMaterial tls = TlsMaterial.loadOrCreate(dir);
        this.serverTls = tls.serverContext();
        this.certificatePem = tls.certificatePem();
        this.brokerTls = TlsMaterial.clientContext(brokerCertificatePem);
        this.broker = broker;
        this.server = new ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("byzantine-accept").start(this::accept);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        try {
            while (true) {
                Socket plainClient = server.accept();
                SSLSocket client = TlsMaterial.layer(serverTls, plainClient, false);
                Socket plainBroker = new Socket(broker.getAddress(), broker.getPort());
                SSLSocket up = TlsMaterial.layer(brokerTls, plainBroker, true);
                Thread.ofPlatform().daemon().name("byzantine-up").start(() -> copy(client, up));
                Thread.ofPlatform().daemon().name("byzantine-down").start(() -> rewrite(up, client));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private void rewrite(Socket from, Socket to) {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(from.getInputStream(), 64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(to.getOutputStream(), 64 * 1024));
            byte[] previous = null;
            long delivers = 0;
            while (true) {
                int length = Frames.readLength(in, Frames.MAX_FRAME_BYTES);
                if (length < 0) {
                    return;
                }
                byte[] frame = new byte[length];
                in.readFully(frame);
                if (frame[0] != Frames.DELIVER && frame[0] != Frames.DIGEST) {
                    write(out, frame);
                } else if (mode == Mode.SILENT) {
                    dropped.incrementAndGet();
                } else {
                    delivers++;
                    switch ((int) (delivers % 6)) {
                        case 1 -> {
                            write(out, tamper(frame));
                            tampered.incrementAndGet();
                        }
                        case 2 -> {
                            write(out, forge(frame));
                            forged.incrementAndGet();
                        }
                        case 3 -> {
                            write(out, frame);
                            write(out, previous);
                            replayed.incrementAndGet();
                        }
                        case 4 -> dropped.incrementAndGet();
                        case 5 -> {
                            write(out, frame);
                            write(out, tamper(frame));
                            tampered.incrementAndGet();
                        }
                        default -> write(out, frame);
                    }
                    previous = frame;
                }
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (IOException | ProtocolException e) {
            closeQuietly(to);
        }
    }

    private static void write(DataOutputStream out, byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
    }

    /** DELIVER: type, u32 subscription, u64 offset, u64 time, then the envelope. */
    private static final int ENVELOPE_AT = 1 + 4 + 8 + 8;
    /** DIGEST: type, u32 subscription, u64 offset, u64 time, u64 sequence, publisher, digest (the last 32 bytes). */
    private static final int SEQUENCE_AT = 1 + 4 + 8 + 8;

    private static byte[] tamper(byte[] frame) throws ProtocolException {
        byte[] t = Arrays.copyOf(frame, frame.length);
        if (t[0] == Frames.DIGEST) {
            t[t.length - 1] ^= 0x5a;
            return t;
        }
        Envelope e = Envelope.parse(t, ENVELOPE_AT, t.length - ENVELOPE_AT);
        t[ENVELOPE_AT + e.sealStart() - 1] ^= 0x5a;
        return t;
    }

    private static byte[] forge(byte[] frame) {
        byte[] t = Arrays.copyOf(frame, frame.length);
        t[t[0] == Frames.DIGEST ? SEQUENCE_AT + 7 : ENVELOPE_AT + 2 + 7]++;
        return t;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
