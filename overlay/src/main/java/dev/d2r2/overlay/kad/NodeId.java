package dev.d2r2.overlay.kad;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A 160-bit Kademlia identifier for nodes and keys, held as three words so that the XOR metric
 * needs no allocation. 160 bits, as in the Kademlia paper and BitTorrent's DHT: ids cost 20 bytes a
 * contact in every NODES answer, and the space is far larger than any overlay d2r2 runs. Keys are
 * the first 160 bits of a SHA-256 digest (not SHA-1, whose collisions are practical).
 */
public final class NodeId implements Comparable<NodeId> {
    public static final int BITS = 160;
    public static final int BYTES = 20;

    private final long hi;
    private final long mid;
    private final int lo;

    private NodeId(long hi, long mid, int lo) {
        this.hi = hi;
        this.mid = mid;
        this.lo = lo;
    }

    public static NodeId of(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a node id has " + BYTES + " bytes, not " + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes));
    }

    public static NodeId read(ByteBuffer in) {
        return new NodeId(in.getLong(), in.getLong(), in.getInt());
    }

    public static NodeId random(RandomGenerator random) {
        return new NodeId(random.nextLong(), random.nextLong(), random.nextInt());
    }

    /** The key for arbitrary bytes: the first 160 bits of their SHA-256 digest. */
    public static NodeId hash(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return read(ByteBuffer.wrap(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    public static NodeId parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a node id is " + 2 * BYTES + " hex digits, not '" + hex + "'");
        }
        return of(HexFormat.of().parseHex(hex));
    }

    public void write(ByteBuffer out) {
        out.putLong(hi).putLong(mid).putInt(lo);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        write(b);
        return b.array();
    }

    /**
     * The k-bucket another id falls in as seen from this one: the index of the highest bit in which
     * they differ (0 to 159), or -1 for the same id.
     */
    public int bucketOf(NodeId other) {
        long h = hi ^ other.hi;
        if (h != 0) {
            return 159 - Long.numberOfLeadingZeros(h);
        }
        long m = mid ^ other.mid;
        if (m != 0) {
            return 95 - Long.numberOfLeadingZeros(m);
        }
        int l = lo ^ other.lo;
        return l != 0 ? 31 - Integer.numberOfLeadingZeros(l) : -1;
    }

    /** Whether {@code a} is closer to this id than {@code b} in the XOR metric: negative, zero or positive. */
    public int compareDistance(NodeId a, NodeId b) {
        int c = Long.compareUnsigned(hi ^ a.hi, hi ^ b.hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(mid ^ a.mid, mid ^ b.mid);
        return c != 0 ? c : Integer.compareUnsigned(lo ^ a.lo, lo ^ b.lo);
    }

    /** The XOR distance to another id, as 20 big-endian bytes. */
    public NodeId xor(NodeId other) {
        return new NodeId(hi ^ other.hi, mid ^ other.mid, lo ^ other.lo);
    }

    /** A random id in bucket {@code index} as seen from this one: same bits above, that bit flipped, random below. */
    public NodeId randomInBucket(int index, RandomGenerator random) {
        NodeId flip = bit(index);
        NodeId low = lowMask(index);
        NodeId r = random(random);
        return new NodeId(((hi ^ flip.hi) & ~low.hi) | (r.hi & low.hi), ((mid ^ flip.mid) & ~low.mid) | (r.mid & low.mid),
                ((lo ^ flip.lo) & ~low.lo) | (r.lo & low.lo));
    }

    private static NodeId bit(int index) {
        if (index < 0 || index >= BITS) {
            throw new IllegalArgumentException("no bucket " + index);
        }
        if (index >= 96) {
            return new NodeId(1L << (index - 96), 0, 0);
        }
        if (index >= 32) {
            return new NodeId(0, 1L << (index - 32), 0);
        }
        return new NodeId(0, 0, 1 << index);
    }

    private static NodeId lowMask(int index) {
        if (index >= 96) {
            return new NodeId((1L << (index - 96)) - 1, -1L, -1);
        }
        if (index >= 32) {
            return new NodeId(0, (1L << (index - 32)) - 1, -1);
        }
        return new NodeId(0, 0, (1 << index) - 1);
    }

    @Override
    public int compareTo(NodeId o) {
        int c = Long.compareUnsigned(hi, o.hi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(mid, o.mid);
        return c != 0 ? c : Integer.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId n && n.hi == hi && n.mid == mid && n.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + mid) ^ lo;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** The first eight hex digits, for logs. */
    public String shortName() {
        return toString().substring(0, 8);
    }
}
