package dev.d2r2.overlay.route;

import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.MalformedPacket.Reason;
import dev.d2r2.overlay.wire.PacketAuth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The route-around agents' datagrams: magic, version, type, send time, body, and the overlay's
 * HMAC ({@link PacketAuth}, the DHT's network key and replay rules). Bodies: probes and their
 * answers carry an id; a CHECK the flood's id, origin, destination and contingent; a REACH the
 * flood's id and destination; tunnel packets a session id and the payload (DATA also the
 * destination agent and service port, DELIVER the service port); WARP's the fields of their
 * {@link WarpMessage} record, a list as a count byte and its addresses.
 */
final class RoutePacket {
    static final short MAGIC = 0x4452;
    static final byte VERSION = 1;
    static final int MAX = 1400;
    static final int MAX_PAYLOAD = 1200;

    enum Type { PROBE, PROBE_ACK, CHECK, REACH, DATA, DELIVER, RETURN, SEEK, SEEK_ACK, TRACE, EXTEND, ASK, MEASURED }

    private static final Type[] TYPES = Type.values();

    private RoutePacket() {
    }

    static void begin(ByteBuffer out, Type type, long now) {
        out.clear();
        out.putShort(MAGIC).put(VERSION).put((byte) type.ordinal()).putLong(now);
    }

    static void address(ByteBuffer out, InetSocketAddress a) {
        byte[] ip = a.getAddress().getAddress();
        out.put((byte) ip.length).put(ip).putShort((short) a.getPort());
    }

    static void payload(ByteBuffer out, byte[] p, int length) {
        out.putShort((short) length).put(p, 0, length);
    }

    static void end(ByteBuffer out, PacketAuth auth) {
        auth.seal(out);
        out.flip();
    }

    static Type typeOf(WarpMessage m) {
        return switch (m) {
            case WarpMessage.Seek s -> Type.SEEK;
            case WarpMessage.SeekAck a -> Type.SEEK_ACK;
            case WarpMessage.Trace t -> Type.TRACE;
            case WarpMessage.Extend e -> Type.EXTEND;
            case WarpMessage.Ask a -> Type.ASK;
            case WarpMessage.Measured m2 -> Type.MEASURED;
        };
    }

    /** WARP's message's body, after {@link #begin}. */
    static void warp(ByteBuffer out, WarpMessage message) {
        out.putLong(message.search());
        switch (message) {
            case WarpMessage.Seek s -> {
                out.put((byte) s.seq());
                address(out, s.origin());
                address(out, s.destination());
                out.put((byte) s.hops());
            }
            case WarpMessage.SeekAck a -> {
                out.put((byte) a.seq());
                address(out, a.lastHop());
            }
            case WarpMessage.Trace t -> {
                address(out, t.origin());
                address(out, t.destination());
                out.put((byte) t.hops());
            }
            case WarpMessage.Extend e -> {
                address(out, e.origin());
                address(out, e.destination());
                out.put((byte) e.asked().size());
                e.asked().forEach(a -> address(out, a));
            }
            case WarpMessage.Ask a -> {
                address(out, a.origin());
                address(out, a.destination());
            }
            case WarpMessage.Measured m -> {
                out.put((byte) (m.asked() ? 1 : 0)).put((byte) m.sent()).put((byte) m.answered()).putInt((int) Math.min(m.rttMillis(), Integer.MAX_VALUE));
            }
        }
    }

    static WarpMessage readWarp(Type type, ByteBuffer in) throws MalformedPacket {
        long search = readLong(in);
        try {
            return switch (type) {
                case SEEK -> new WarpMessage.Seek(search, Byte.toUnsignedInt(in.get()), readAddress(in), readAddress(in), Byte.toUnsignedInt(in.get()));
                case SEEK_ACK -> new WarpMessage.SeekAck(search, Byte.toUnsignedInt(in.get()), readAddress(in));
                case TRACE -> new WarpMessage.Trace(search, readAddress(in), readAddress(in), Byte.toUnsignedInt(in.get()));
                case EXTEND -> {
                    InetSocketAddress origin = readAddress(in);
                    InetSocketAddress destination = readAddress(in);
                    int n = Byte.toUnsignedInt(in.get());
                    if (n > Warp.MAX_ASKED) {
                        throw new MalformedPacket(Reason.BAD_FIELD, n + " peers asked (at most " + Warp.MAX_ASKED + ")");
                    }
                    List<InetSocketAddress> asked = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        asked.add(readAddress(in));
                    }
                    yield new WarpMessage.Extend(search, origin, destination, asked);
                }
                case ASK -> new WarpMessage.Ask(search, readAddress(in), readAddress(in));
                case MEASURED -> new WarpMessage.Measured(search, in.get() != 0, Byte.toUnsignedInt(in.get()), Byte.toUnsignedInt(in.get()),
                        Integer.toUnsignedLong(in.getInt()));
                default -> throw new IllegalArgumentException("not a WARP type: " + type);
            };
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated WARP packet");
        }
    }

    /** Checks the MAC, time and freshness and returns the type; the buffer is then positioned at the body. */
    static Type open(ByteBuffer in, PacketAuth auth, long now) throws MalformedPacket {
        if (in.remaining() < 12 + PacketAuth.MAC_BYTES || in.getShort(0) != MAGIC || in.get(2) != VERSION) {
            throw new MalformedPacket(Reason.BAD_HEADER, "not a route packet");
        }
        auth.open(in, now);
        int type = in.get(3);
        if (type < 0 || type >= TYPES.length) {
            throw new MalformedPacket(Reason.BAD_HEADER, "unknown route packet type " + type);
        }
        in.position(12);
        return TYPES[type];
    }

    static InetSocketAddress readAddress(ByteBuffer in) throws MalformedPacket {
        try {
            int n = in.get();
            if (n != 4 && n != 16) {
                throw new MalformedPacket(Reason.BAD_FIELD, "an address has 4 or 16 bytes, not " + n);
            }
            byte[] ip = new byte[n];
            in.get(ip);
            return new InetSocketAddress(InetAddress.getByAddress(ip), Short.toUnsignedInt(in.getShort()));
        } catch (BufferUnderflowException | UnknownHostException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated address");
        }
    }

    static byte[] readPayload(ByteBuffer in) throws MalformedPacket {
        try {
            int n = Short.toUnsignedInt(in.getShort());
            if (n > MAX_PAYLOAD) {
                throw new MalformedPacket(Reason.OVERSIZED, "payload of " + n + " bytes");
            }
            byte[] p = new byte[n];
            in.get(p);
            return p;
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated payload");
        }
    }

    static long readLong(ByteBuffer in) throws MalformedPacket {
        try {
            return in.getLong();
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated packet");
        }
    }

    static int readPort(ByteBuffer in) throws MalformedPacket {
        try {
            return Short.toUnsignedInt(in.getShort());
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated packet");
        }
    }

    static int readInt(ByteBuffer in) throws MalformedPacket {
        try {
            return in.getInt();
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "truncated packet");
        }
    }
}
