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
 * A long-lived connection to one neighbour, shared by every tunnel through it. A virtual thread
 * reads whole cells and hands them on; another writes the cells the relay queued, so the relay's
 * agent never waits on a neighbour (two relays each blocked writing to the other, with full
 * inboxes, would wait forever). {@link #peer} is known once the neighbour's HELLO has arrived
 * (or at once, for the side that connected).
 */
final class Link {
    /** Cells queued for a neighbour that does not read them (1 MiB); beyond that the link is given up. */
    static final int OUTBOX_CELLS = 1024;

    private final Socket socket;
    private final BlockingQueue<byte[]> outbox = new ArrayBlockingQueue<>(OUTBOX_CELLS);
    private Hop peer;
    private Thread writer;

    Link(Socket socket, Hop peer) {
        this.socket = socket;
        this.peer = peer;
    }

    Hop peer() {
        return peer;
    }

    void identify(Hop peer) {
        this.peer = peer;
    }

    /** Starts the reader and the writer; {@code onClosed} is called once the reader sees the connection end. */
    void start(String name, BiConsumer<Link, byte[]> onCell, Consumer<Link> onClosed) {
        Thread.ofVirtual().name("d2r2-link-rx-" + name).start(() -> {
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
        });
        writer = Thread.ofVirtual().name("d2r2-link-tx-" + name).start(this::write);
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
        try {
            socket.close();
        } catch (IOException e) {
            // the reader sees the close and reports the link gone either way
        }
        if (writer != null) {
            writer.interrupt();
        }
    }

    @Override
    public String toString() {
        return peer == null ? String.valueOf(socket.getRemoteSocketAddress()) : peer.toString();
    }
}
