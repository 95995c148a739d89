package dev.d2r2.tunnel.wire;

import dev.d2r2.tunnel.bfd.BfdPacket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tunnel's control messages, carried as the payload of {@link GreFrame#PROTO_CONTROL} frames:
 * one type byte, then the body. Addresses are IPv4 as 32-bit integers.
 *
 * <ul>
 *   <li>{@link Hello} EN → DN: open (or reopen) the tunnel; as primary with address 0 it asks
 *       for an address, otherwise it states the one it holds.</li>
 *   <li>{@link Assign} DN → EN: the session is established, with this address (the assigned
 *       one, or the stated one accepted).</li>
 *   <li>{@link Refuse} DN → EN: no session (the address is not this DN's to give, is taken, or
 *       the pool is full).</li>
 *   <li>{@link Release} EN → DN: this DN no longer carries the EN's traffic (failback).</li>
 *   <li>{@link Bfd} either way: a BFD Control packet.</li>
 *   <li>{@link Fence} DN failure detector → DN: stop serving (or serve again), on the policy's order.</li>
 *   <li>{@link Carry} EN → DN: the EN has just moved its traffic here (failover or failback); carry it
 *       now, before any data arrives, so that return traffic finds this DN even when the EN sends nothing.</li>
 *   <li>{@link Carriers} DN → ESR: every EN address the DN carries now (its whole entry in the EN-to-DN map).</li>
 * </ul>
 */
public sealed interface Control {
    int MAX_NAME_BYTES = 64;
    int MAX_CARRIED = 320;

    /** {@code backup}: to a primary, the EN's first secondary DN ("" for none), whose block of the pool the address comes from. */
    record Hello(boolean primary, int address, String backup) implements Control {
        public Hello(boolean primary, int address) {
            this(primary, address, "");
        }
    }

    record Assign(int address, int prefixLength, String dn) implements Control {
    }

    record Refuse(String reason) implements Control {
    }

    record Release(int address) implements Control {
    }

    record Bfd(BfdPacket packet) implements Control {
    }

    record Fence(boolean fenced) implements Control {
    }

    record Carry(int address) implements Control {
    }

    /** At most {@link #MAX_CARRIED} addresses: the report fits in one frame below a 1,500-byte MTU. */
    record Carriers(String dn, List<Integer> addresses) implements Control {
        public Carriers {
            if (addresses.size() > MAX_CARRIED) {
                throw new IllegalArgumentException(addresses.size() + " addresses, more than " + MAX_CARRIED);
            }
            addresses = List.copyOf(addresses);
        }
    }

    /** A multihomed EN's probe of its uplink {@code path}, sent on that uplink; the DN echoes it back to where it came from. */
    record PathProbe(int path, int seq) implements Control {
    }

    /** A DN's echo of a {@link PathProbe}. */
    record PathEcho(int path, int seq) implements Control {
    }

    /** Writes the message at {@code offset}; returns its length. */
    static int write(Control c, ByteBuffer buf, int offset) {
        return switch (c) {
            case Hello h -> {
                buf.put(offset, (byte) 1).put(offset + 1, (byte) (h.primary() ? 1 : 0)).putInt(offset + 2, h.address());
                yield h.backup().isEmpty() ? 6 : 6 + writeText(h.backup(), buf, offset + 6);
            }
            case Assign a -> {
                buf.put(offset, (byte) 2).putInt(offset + 1, a.address()).put(offset + 5, (byte) a.prefixLength());
                yield 6 + writeText(a.dn(), buf, offset + 6);
            }
            case Refuse r -> {
                buf.put(offset, (byte) 3);
                yield 1 + writeText(r.reason(), buf, offset + 1);
            }
            case Release r -> {
                buf.put(offset, (byte) 4).putInt(offset + 1, r.address());
                yield 5;
            }
            case Bfd b -> {
                buf.put(offset, (byte) 5);
                b.packet().write(buf, offset + 1);
                yield 1 + BfdPacket.BYTES;
            }
            case Fence f -> {
                buf.put(offset, (byte) 6).put(offset + 1, (byte) (f.fenced() ? 1 : 0));
                yield 2;
            }
            case Carry k -> {
                buf.put(offset, (byte) 7).putInt(offset + 1, k.address());
                yield 5;
            }
            case Carriers r -> {
                buf.put(offset, (byte) 8).putShort(offset + 1, (short) r.addresses().size());
                int at = offset + 3;
                for (int a : r.addresses()) {
                    buf.putInt(at, a);
                    at += 4;
                }
                yield at - offset + writeText(r.dn(), buf, at);
            }
            case PathProbe p -> {
                buf.put(offset, (byte) 9).putShort(offset + 1, (short) p.path()).putInt(offset + 3, p.seq());
                yield 7;
            }
            case PathEcho e -> {
                buf.put(offset, (byte) 10).putShort(offset + 1, (short) e.path()).putInt(offset + 3, e.seq());
                yield 7;
            }
        };
    }

    /**
     * Reads the message in {@code buf[offset, offset + length)}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Control read(ByteBuffer buf, int offset, int length) {
        int type = buf.get(offset) & 0xff;
        return switch (type) {
            case 1 -> {
                atLeast(length, 6, "hello");
                int flag = buf.get(offset + 1);
                if (flag != 0 && flag != 1) {
                    throw new IllegalArgumentException("hello: role byte " + flag);
                }
                yield new Hello(flag == 1, buf.getInt(offset + 2), length == 6 ? "" : readText(buf, offset + 6, length - 6));
            }
            case 2 -> {
                atLeast(length, 7, "assign");
                int prefix = buf.get(offset + 5);
                if (prefix < 0 || prefix > 32) {
                    throw new IllegalArgumentException("assign: prefix length " + prefix);
                }
                yield new Assign(buf.getInt(offset + 1), prefix, readText(buf, offset + 6, length - 6));
            }
            case 3 -> {
                atLeast(length, 2, "refuse");
                yield new Refuse(readText(buf, offset + 1, length - 1));
            }
            case 4 -> {
                exactly(length, 5, "release");
                yield new Release(buf.getInt(offset + 1));
            }
            case 5 -> {
                exactly(length, 1 + BfdPacket.BYTES, "bfd");
                yield new Bfd(BfdPacket.read(buf, offset + 1, length - 1));
            }
            case 6 -> {
                exactly(length, 2, "fence");
                int flag = buf.get(offset + 1);
                if (flag != 0 && flag != 1) {
                    throw new IllegalArgumentException("fence: flag byte " + flag);
                }
                yield new Fence(flag == 1);
            }
            case 7 -> {
                exactly(length, 5, "carry");
                yield new Carry(buf.getInt(offset + 1));
            }
            case 8 -> {
                atLeast(length, 4, "carriers");
                int count = buf.getShort(offset + 1) & 0xffff;
                if (count > MAX_CARRIED || 3 + 4 * count + 1 > length) {
                    throw new IllegalArgumentException("carriers: " + count + " addresses in " + length + " bytes");
                }
                List<Integer> addresses = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    addresses.add(buf.getInt(offset + 3 + 4 * i));
                }
                int text = offset + 3 + 4 * count;
                yield new Carriers(readText(buf, text, length - (text - offset)), addresses);
            }
            case 9 -> {
                exactly(length, 7, "path probe");
                yield new PathProbe(buf.getShort(offset + 1) & 0xffff, buf.getInt(offset + 3));
            }
            case 10 -> {
                exactly(length, 7, "path echo");
                yield new PathEcho(buf.getShort(offset + 1) & 0xffff, buf.getInt(offset + 3));
            }
            default -> throw new IllegalArgumentException("unknown control message type " + type);
        };
    }

    private static void exactly(int length, int expected, String what) {
        if (length != expected) {
            throw new IllegalArgumentException(what + ": " + length + " bytes, not " + expected);
        }
    }

    private static void atLeast(int length, int min, String what) {
        if (length < min) {
            throw new IllegalArgumentException(what + ": " + length + " bytes, fewer than " + min);
        }
    }

    private static int writeText(String text, ByteBuffer buf, int offset) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, MAX_NAME_BYTES);
        buf.put(offset, (byte) n);
        buf.put(offset + 1, b, 0, n);
        return 1 + n;
    }

    private static String readText(ByteBuffer buf, int offset, int available) {
        int n = buf.get(offset) & 0xff;
        if (n > MAX_NAME_BYTES || n + 1 != available) {
            throw new IllegalArgumentException("text of " + n + " bytes in " + (available - 1));
        }
        byte[] b = new byte[n];
        buf.get(offset + 1, b);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text is not UTF-8");
        }
    }
}
