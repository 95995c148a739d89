package dev.d2r2.bft;

import java.util.BitSet;

/**
 * Which (origin, sequence) pairs the decided chain has applied, so that a command proposed twice
 * (a forward delivered late or twice, a re-forward after a view change, a faulty leader's replay)
 * is applied once. Every correct replica applies the same chain in the same order, so they skip
 * the same copies. Per origin, a watermark below which every sequence is applied and a window of
 * {@code window} sequences above it; a sequence beyond the window is skipped, which bounds the
 * memory a faulty leader can make a replica spend. A correct origin never numbers beyond it
 * ({@link #hasRoom}).
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

    private int slot(long seq) {
        return (int) Math.floorMod(seq, (long) window);
    }
}
