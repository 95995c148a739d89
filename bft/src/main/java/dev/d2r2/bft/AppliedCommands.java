package dev.d2r2.bft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Which (origin, sequence) pairs the decided chain has applied, so that a command proposed twice
 * (a forward delivered late or twice, a re-forward after a view change, a faulty leader's replay)
 * is applied once. Every correct replica applies the same chain in the same order, so they skip
 * the same copies. Per origin, a watermark below which every sequence is applied and a window of
 * {@code window} sequences above it; a sequence beyond the window is skipped, which bounds the
 * memory a faulty leader can make a replica spend. A correct origin never numbers beyond it
 * ({@link #hasRoom}).
 *
 * <p>The record is part of a replica's state after a decided height: it goes into checkpoints
 * and the node's progress file, in one deterministic encoding (every correct replica that applied
 * the same chain encodes the same bytes):
 * <pre>
 * applied = origins:u16 (watermark:i64 count:i32 (seq:i64){count}){origins}   seqs ascending, above the watermark
 * </pre>
 */
final class AppliedCommands {
    private final long[] watermark;
    private final BitSet[] above;
    private final int window;

    AppliedCommands(int origins, int window) {
        this.watermark = new long[origins];
        this.above = new BitSet[origins];
        this.window = window;
        for (int i = 0; i < origins; i++) {
            above[i] = new BitSet(window);
        }
    }

    /** Records {@code id} as applied; false when it was already, or lies outside the origin's window. */
    boolean apply(Command.Id id) {
        if (id.origin() >= watermark.length || isApplied(id) || id.seq() > watermark[id.origin()] + window) {
            return false;
        }
        BitSet bits = above[id.origin()];
        bits.set(slot(id.seq()));
        long w = watermark[id.origin()];
        while (bits.get(slot(w + 1))) {
            w++;
            bits.clear(slot(w));
        }
        watermark[id.origin()] = w;
        return true;
    }

    boolean isApplied(Command.Id id) {
        if (id.origin() >= watermark.length) {
            return false;
        }
        long w = watermark[id.origin()];
        return id.seq() <= w || id.seq() <= w + window && above[id.origin()].get(slot(id.seq()));
    }

    /** Whether {@code origin} may number a command {@code seq}: inside its window. */
    boolean hasRoom(int origin, long seq) {
        return seq <= watermark[origin] + window;
    }

    byte[] encode() {
        int size = 2;
        for (BitSet bits : above) {
            size += 8 + 4 + 8 * bits.cardinality();
        }
        ByteBuffer b = ByteBuffer.allocate(size).putShort((short) watermark.length);
        for (int origin = 0; origin < watermark.length; origin++) {
            long w = watermark[origin];
            BitSet bits = above[origin];
            b.putLong(w).putInt(bits.cardinality());
            // The ring holds w + 1 … w + window from slot(w + 1) on, wrapping: read it in that order, ascending.
            int first = slot(w + 1);
            for (int s = bits.nextSetBit(first); s >= 0; s = bits.nextSetBit(s + 1)) {
                b.putLong(w + 1 + (s - first));
            }
            for (int s = bits.nextSetBit(0); s >= 0 && s < first; s = bits.nextSetBit(s + 1)) {
                b.putLong(w + 1 + (window - first + s));
            }
        }
        return b.array();
    }

    /**
     * The record {@link #encode} wrote, for {@code origins} origins and the same {@code window};
     * null when the bytes are not such a record (wrong sizes, sequences outside the window or
     * unordered), so that a damaged file or a faulty peer's bytes are refused, not half taken.
     */
    static AppliedCommands decode(byte[] bytes, int origins, int window) {
        AppliedCommands record = new AppliedCommands(origins, window);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            if (Short.toUnsignedInt(b.getShort()) != origins) {
                return null;
            }
            for (int origin = 0; origin < origins; origin++) {
                long w = b.getLong();
                int count = b.getInt();
                if (w < 0 || count < 0 || count > window || count > b.remaining() / 8) {
                    return null;
                }
                record.watermark[origin] = w;
                long previous = w + 1;
                for (int i = 0; i < count; i++) {
                    long seq = b.getLong();
                    // Strictly above watermark + 1 (that one would have raised the watermark), ascending, in the window.
                    if (seq <= previous || seq > w + window) {
                        return null;
                    }
                    record.above[origin].set(record.slot(seq));
                    previous = seq;
                }
            }
        } catch (BufferUnderflowException e) {
            return null;
        }
        return b.hasRemaining() ? null : record;
    }

    private int slot(long seq) {
        return (int) Math.floorMod(seq, (long) window);
    }
}
