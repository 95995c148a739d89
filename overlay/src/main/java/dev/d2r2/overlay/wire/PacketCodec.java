package dev.d2r2.overlay.wire;

import dev.d2r2.overlay.kad.Contact;
import dev.d2r2.overlay.kad.Message;
import dev.d2r2.overlay.kad.NodeId;
import dev.d2r2.overlay.kad.SignedValue;
import dev.d2r2.overlay.wire.MalformedPacket.Reason;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The overlay's datagram format, big-endian:
 * <pre>
 * magic "DK" (2) · version 1 (1) · type (1) · time ms (8) · tx (8) · sender id (20) · body · MAC (16)
 * </pre>
 * Bodies: PING: none. PONG: none, or card length (2, 1 to {@link #MAX_CARD}) · card. FIND_NODE, FIND_VALUE: target id (20). NODES: count (1, at most
 * {@link #MAX_CONTACTS}) then per contact id (20) · family 4|6 (1) · address (4|16) · port (2).
 * FOUND: a value. STORE: ttl ms (8) · a value. STORED: accepted 0|1 (1). A value: public key (32)
 * · name length (1) · name · seq (8) · data length (2) · data · signature (64).
 * Parsing is strict: every length is checked before it is read, values must be in range and the
 * packet must end exactly where its body does; anything else is a {@link MalformedPacket}.
 * The MAC (see {@link PacketAuth}) covers everything before it.
 */
public final class PacketCodec {
    public static final int MAX_PACKET = 1400;
    public static final int MAX_CONTACTS = 32;
    /** The largest card a PONG carries: room for a certificate, a relay's key and address, and a signature. */
    public static final int MAX_CARD = 512;
    static final int HEADER = 2 + 1 + 1 + 8 + 8 + NodeId.BYTES;
    private static final short MAGIC = 0x444B;
    private static final byte VERSION = 1;

    private enum Type { PING, PONG, FIND_NODE, NODES, FIND_VALUE, FOUND, STORE, STORED }

    private static final Type[] TYPES = Type.values();

    private final PacketAuth auth;

    public PacketCodec(PacketAuth auth) {
        this.auth = auth;
    }

    /** Writes a whole authenticated packet into {@code out} (cleared first) and flips it for sending. */
    public void encode(Message m, long nowMillis, ByteBuffer out) {
        out.clear();
        out.putShort(MAGIC).put(VERSION).put((byte) typeOf(m).ordinal()).putLong(nowMillis).putLong(m.tx());
        m.sender().write(out);
        switch (m) {
            case Message.Ping p -> { }
            case Message.Pong p -> {
                byte[] card = p.card();
                if (card.length > 0) {
                    out.putShort((short) card.length).put(card);
                }
            }
            case Message.FindNode f -> f.target().write(out);
            case Message.FindValue f -> f.key().write(out);
            case Message.Nodes n -> writeContacts(n.contacts(), out);
            case Message.Found f -> f.value().write(out);
            case Message.Store s -> {
                out.putLong(s.ttlMillis());
                s.value().write(out);
            }
            case Message.Stored s -> out.put((byte) (s.accepted() ? 1 : 0));
        }
        auth.seal(out);
        out.flip();
    }

    private static Type typeOf(Message m) {
        return switch (m) {
            case Message.Ping p -> Type.PING;
            case Message.Pong p -> Type.PONG;
            case Message.FindNode f -> Type.FIND_NODE;
            case Message.Nodes n -> Type.NODES;
            case Message.FindValue f -> Type.FIND_VALUE;
            case Message.Found f -> Type.FOUND;
            case Message.Store s -> Type.STORE;
            case Message.Stored s -> Type.STORED;
        };
    }

    private static void writeContacts(List<Contact> contacts, ByteBuffer out) {
        int n = 0;
        int countAt = out.position();
        out.put((byte) 0);
        for (Contact c : contacts) {
            InetAddress a = c.address().getAddress();
            if (a == null || n == MAX_CONTACTS) {
                continue;
            }
            byte[] raw = a.getAddress();
            c.id().write(out);
            out.put((byte) (raw.length == 4 ? 4 : 6)).put(raw).putShort((short) c.address().getPort());
            n++;
        }
        out.put(countAt, (byte) n);
    }

    /**
     * Reads one datagram: checks its MAC, freshness and uniqueness ({@link PacketAuth}) and its
     * structure. Never throws anything but {@link MalformedPacket}.
     */
    public Message decode(ByteBuffer in, long nowMillis) throws MalformedPacket {
        if (in.remaining() > MAX_PACKET) {
            throw new MalformedPacket(Reason.OVERSIZED, in.remaining() + " bytes, at most " + MAX_PACKET);
        }
        if (in.remaining() < HEADER + PacketAuth.MAC_BYTES) {
            throw new MalformedPacket(Reason.TRUNCATED, in.remaining() + " bytes, shorter than a header");
        }
        if (in.getShort(in.position()) != MAGIC || in.get(in.position() + 2) != VERSION) {
            throw new MalformedPacket(Reason.BAD_HEADER, "not an overlay packet of version " + VERSION);
        }
        auth.open(in, nowMillis);
        try {
            in.position(in.position() + 3);
            int type = in.get() & 0xFF;
            if (type >= TYPES.length) {
                throw new MalformedPacket(Reason.BAD_HEADER, "unknown type " + type);
            }
            in.getLong();
            long tx = in.getLong();
            NodeId sender = NodeId.read(in);
            Message m = switch (TYPES[type]) {
                case PING -> new Message.Ping(tx, sender);
                case PONG -> new Message.Pong(tx, sender, readCard(in));
                case FIND_NODE -> new Message.FindNode(tx, sender, NodeId.read(in));
                case FIND_VALUE -> new Message.FindValue(tx, sender, NodeId.read(in));
                case NODES -> new Message.Nodes(tx, sender, readContacts(in));
                case FOUND -> new Message.Found(tx, sender, readValue(in));
                case STORE -> {
                    long ttl = in.getLong();
                    if (ttl <= 0) {
                        throw new MalformedPacket(Reason.BAD_FIELD, "STORE with time to live " + ttl);
                    }
                    yield new Message.Store(tx, sender, readValue(in), ttl);
                }
                case STORED -> new Message.Stored(tx, sender, readFlag(in));
            };
            if (in.hasRemaining()) {
                throw new MalformedPacket(Reason.TRAILING_BYTES, in.remaining() + " bytes after the body");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new MalformedPacket(Reason.TRUNCATED, "the body ends early");
        }
    }

    private static boolean readFlag(ByteBuffer in) throws MalformedPacket {
        byte b = in.get();
        if (b != 0 && b != 1) {
            throw new MalformedPacket(Reason.BAD_FIELD, "a flag is 0 or 1, not " + b);
        }
        return b == 1;
    }

    /** A PONG's card: nothing when the body is empty (the node announces none), else a length in range and that many bytes. */
    private static byte[] readCard(ByteBuffer in) throws MalformedPacket {
        if (!in.hasRemaining()) {
            return new byte[0];
        }
        int length = in.getShort() & 0xFFFF;
        if (length < 1 || length > MAX_CARD) {
            throw new MalformedPacket(Reason.BAD_FIELD, "a card of " + length + " bytes, 1 to " + MAX_CARD);
        }
        byte[] card = new byte[length];
        in.get(card);
        return card;
    }

    private static List<Contact> readContacts(ByteBuffer in) throws MalformedPacket {
        int n = in.get() & 0xFF;
        if (n > MAX_CONTACTS) {
            throw new MalformedPacket(Reason.BAD_FIELD, n + " contacts, at most " + MAX_CONTACTS);
        }
        List<Contact> contacts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            NodeId id = NodeId.read(in);
            int family = in.get();
            if (family != 4 && family != 6) {
                throw new MalformedPacket(Reason.BAD_FIELD, "address family " + family);
            }
            byte[] raw = new byte[family == 4 ? 4 : 16];
            in.get(raw);
            int port = in.getShort() & 0xFFFF;
            if (port == 0) {
                throw new MalformedPacket(Reason.BAD_FIELD, "port 0");
            }
            try {
                contacts.add(new Contact(id, new InetSocketAddress(InetAddress.getByAddress(raw), port)));
            } catch (UnknownHostException e) {
                throw new MalformedPacket(Reason.BAD_FIELD, "address: " + e.getMessage());
            }
        }
        return contacts;
    }

    /** A value as {@link SignedValue#write} wrote it; a short buffer is a {@link java.nio.BufferUnderflowException}. */
    public static SignedValue readValue(ByteBuffer in) throws MalformedPacket {
        try {
            return SignedValue.read(in);
        } catch (IllegalArgumentException e) {
            throw new MalformedPacket(Reason.BAD_FIELD, e.getMessage());
        }
    }
}
