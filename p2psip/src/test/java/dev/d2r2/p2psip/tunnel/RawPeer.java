package dev.d2r2.p2psip.tunnel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/** A hand-driven neighbour of a relay, for feeding it cells it must refuse. */
final class RawPeer implements AutoCloseable {
    private final Socket socket;

    private RawPeer(Socket socket) {
        this.socket = socket;
    }

    /** Connects and, if {@code hello}, names itself with a fresh key. */
    static RawPeer connect(Hop relay, boolean hello) throws IOException {
        Socket s = LinkSecurity.TLS.sockets("raw").connect(relay.address(), 2000);
        s.setSoTimeout(5000);
        RawPeer peer = new RawPeer(s);
        if (hello) {
            byte[] body = new byte[Cell.BODY_BYTES];
            HopCodec.put(ByteBuffer.wrap(body), new Hop(X25519.raw(X25519.generate().getPublic()),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort())));
            peer.send(new Cell(CellType.HELLO, 0, body));
        }
        return peer;
    }

    void send(Cell cell) throws IOException {
        sendRaw(cell.encode());
    }

    void sendRaw(byte[] frame) throws IOException {
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    Cell receive() throws IOException, MalformedCell {
        return Cell.decode(socket.getInputStream().readNBytes(Cell.BYTES));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
