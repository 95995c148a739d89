package dev.d2r2.p2psip.tunnel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A long-lived connection to one neighbour, shared by every tunnel through it. A virtual thread
 * reads whole cells and hands them on; writes happen on the relay's agent thread. {@link #peer}
 * is known once the neighbour's HELLO has arrived (or at once, for the side that connected).
 */
final class Link {
    private final Socket socket;
    private final OutputStream out;
    private Hop peer;

    Link(Socket socket, Hop peer) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.peer = peer;
    }

    Hop peer() {
        return peer;
    }

    void identify(Hop peer) {
        this.peer = peer;
    }

    void startReading(String name, BiConsumer<Link, byte[]> onCell, Consumer<Link> onClosed) {
        Thread.ofVirtual().name("d2r2-link-" + name).start(() -> {
            try {
                InputStream in = socket.getInputStream();
                while (true) {
                    byte[] frame = in.readNBytes(Cell.BYTES);
                    if (frame.length < Cell.BYTES) {
                        throw new EOFException();
                    }
                    onCell.accept(this, frame);
                }
            } catch (IOException e) {
                onClosed.accept(this);
            }
        });
    }

    void send(Cell cell) throws IOException {
        out.write(cell.encode());
        out.flush();
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // the reader sees the close and reports the link gone either way
        }
    }

    @Override
    public String toString() {
        return peer == null ? socket.getRemoteSocketAddress().toString() : peer.toString();
    }
}
