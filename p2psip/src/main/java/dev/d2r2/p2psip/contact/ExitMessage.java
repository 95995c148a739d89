package dev.d2r2.p2psip.contact;

import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.p2psip.tunnel.HopCodec;
import dev.d2r2.p2psip.tunnel.MalformedCell;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a user agent asks of its outbound tunnel's exit, and what the exit answers, inside the
 * tunnel's payload. The exit of a publishing tunnel sees STORE only; lookups and signalling go
 * through other tunnels.
 * <pre>
 * STORE · request id (4) · signed value        → STORED · request id · replicas that took it (2)
 * FIND  · request id (4) · key (20)            → FOUND  · request id · 0 | 1 · signed value
 * ENTER · entry point hop (50) · entry id (4) · data   (no answer: the exit hands data to the entry point)
 * </pre>
 */
public sealed interface ExitMessage {
    byte STORE = 1;
    byte FIND = 2;
    byte ENTER = 3;
    byte STORED = 4;
    byte FOUND = 5;
    /** What an ENTER adds to the data it hands on. */
    int ENTER_HEADER = 1 + HopCodec.BYTES + 4;

    record Store(int requestId, SignedValue value) implements ExitMessage {
    }

    record Find(int requestId, NodeId key) implements ExitMessage {
    }

    record Enter(EntryPoint entry, byte[] data) implements ExitMessage {
    }

    record Stored(int requestId, int replicas) implements ExitMessage {
    }

    /** {@code value} is null when no replica had one. */
    record Found(int requestId, SignedValue value) implements ExitMessage {
    }

    static byte[] encode(ExitMessage m) {
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 1 + HopCodec.BYTES + SignedValue.MAX_NAME + SignedValue.MAX_DATA + 128);
        switch (m) {
            case Store s -> {
                b.put(STORE).putInt(s.requestId());
                s.value().write(b);
            }
            case Find f -> {
                b.put(FIND).putInt(f.requestId());
                f.key().write(b);
            }
            case Enter e -> {
                b.put(ENTER);
                HopCodec.put(b, e.entry().hop());
                b.putInt(e.entry().entryId()).put(e.data());
            }
            case Stored s -> b.put(STORED).putInt(s.requestId()).putShort((short) s.replicas());
            case Found f -> {
                b.put(FOUND).putInt(f.requestId()).put((byte) (f.value() == null ? 0 : 1));
                if (f.value() != null) {
                    f.value().write(b);
                }
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** @throws IllegalArgumentException if {@code bytes} is not one whole message */
    static ExitMessage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            ExitMessage m = switch (b.get()) {
                case STORE -> new Store(b.getInt(), SignedValue.read(b));
                case FIND -> new Find(b.getInt(), NodeId.read(b));
                case ENTER -> {
                    EntryPoint entry = new EntryPoint(HopCodec.get(b), b.getInt());
                    yield new Enter(entry, Arrays.copyOfRange(bytes, b.position(), bytes.length));
                }
                case STORED -> new Stored(b.getInt(), b.getShort() & 0xffff);
                case FOUND -> {
                    int id = b.getInt();
                    yield new Found(id, b.get() == 0 ? null : SignedValue.read(b));
                }
                default -> throw new IllegalArgumentException("unknown exit message type " + bytes[0]);
            };
            if (!(m instanceof Enter) && b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " bytes after an exit message");
            }
            return m;
        } catch (BufferUnderflowException | MalformedCell e) {
            throw new IllegalArgumentException("a cut or malformed exit message: " + e.getMessage());
        }
    }
}
