package dev.d2r2.p2psip.tunnel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A long-lived connection to one neighbour, shared by every tunnel through it. Its writer thread
 * first connects (for a link this relay opens), then writes the cells the relay queued; its reader
 * thread reads whole cells and hands them on. So the relay's agent never waits on a neighbour:
 * not for a connection or a TLS handshake, and not for a write (two relays each blocked writing to
 * the other, with full inboxes, would wait forever). {@link #peer} is known once the neighbour's
 * HELLO has arrived, or at once for the side that connects.
 */
final class Link {
    /** Cells queued for a neighbour that does not take them (1 MiB); beyond that the link is given up. */
    static final int OUTBOX_CELLS = 1024;

    /** Opens the connection of a link this relay starts. */
    @FunctionalInterface
    interface Connector {
        Socket connect() throws IOException;
    }

    private final BlockingQueue<byte[]> outbox = new ArrayBlockingQueue<>(OUTBOX_CELLS);
    private final Connector connector;
    private volatile Socket socket;
    private volatile boolean closed;
    private volatile IOException failure;
    private Hop peer;
    private Thread writer;

    private Link(Socket socket, Connector connector, Hop peer) {
        this.socket = socket;
        this.connector = connector;
        this.peer = peer;
    }

    /** A link a neighbour opened; its peer is known after its HELLO. */
    static Link accepted(Socket socket) {
        return new Link(socket, null, null);
    }

    /** A link to {@code peer} that connects on its own thread once started. */
    static Link outgoing(Hop peer, Connector connector) {
        return new Link(null, connector, peer);
    }

    Hop peer() {
        return peer;
    }

    void identify(Hop peer) {
        this.peer = peer;
    }

    /** Why the link ended before it was connected, or null. */
    IOException failure() {
        return failure;
    }

    /** Starts the link's threads; {@code onClosed} is called once, when the connection ends or cannot be made. */
    void start(String name, BiConsumer<Link, byte[]> onCell, Consumer<Link> onClosed) {
        writer = Thread.ofVirtual().name("d2r2-link-tx-" + name).start(() -> {
            if (socket == null) {
                try {
                    socket = connector.connect();
                } catch (IOException e) {
                    failure = e;
                    onClosed.accept(this);
                    return;
                }
                if (closed) {
                    close();
                }
            }
            Thread.ofVirtual().name("d2r2-link-rx-" + name).start(() -> read(onCell, onClosed));
            write();
        });
    }

    private void read(BiConsumer<Link, byte[]> onCell, Consumer<Link> onClosed) {
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
            close();
            onClosed.accept(this);
        }
    }

    private void write() {
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                out.write(outbox.take());
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            close();
        }
    }

    /** Queues a cell; false if the neighbour has not taken the last {@link #OUTBOX_CELLS}. */
    boolean send(Cell cell) {
        return outbox.offer(cell.encode());
    }

    void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // the reader sees the close and reports the link gone either way
            }
        }
        if (writer != null && s != null) {
            writer.interrupt();
        }
    }

    @Override
    public String toString() {
        Socket s = socket;
        return peer != null ? peer.toString() : s == null ? "unconnected link" : String.valueOf(s.getRemoteSocketAddress());
    }
}
