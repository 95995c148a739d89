package dev.d2r2.overlay.route;

import dev.d2r2.overlay.wire.MalformedPacket;
import dev.d2r2.overlay.wire.MalformedPacket.Reason;
import dev.d2r2.overlay.wire.PacketAuth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The route-around agents' datagrams: magic, version, type, send time, body, and the overlay's
 * HMAC ({@link PacketAuth}, the DHT's network key and replay rules). Bodies: probes and their
 * answers carry an id; a CHECK the flood's id, origin, destination and contingent; a REACH the
 * flood's id and destination; tunnel packets a session id and the payload (DATA also the
 * destination agent and service port, DELIVER the service port).
 */
final class RoutePacket {
    static final short MAGIC = 0x4452;
    static final byte VERSION = 1;
    static final int MAX = 1400;
    static final int MAX_PAYLOAD = 1200;

    enum Type { PROBE, PROBE_ACK, CHECK, REACH, DATA, DELIVER, RETURN }

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
