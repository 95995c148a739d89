package dev.d2r2.bft;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;

/**
 * The blocks a replica knows (paper §4.2: the tree of nodes), the hashes it is missing, and the
 * pruning of old heights: blocks more than {@code retainedHeights} below the last decision are
 * forgotten, so a replica further behind than that needs a state transfer (not implemented).
 */
final class BlockTree {
    private static final int MAX_MISSING = 64;
    private final Map<BlockHash, Block> byHash = new HashMap<>();
    private final TreeMap<Long, List<Block>> byHeight = new TreeMap<>();
    private final SequencedSet<BlockHash> missing = new LinkedHashSet<>();
    private final int retainedHeights;

    BlockTree(int retainedHeights) {
        this.retainedHeights = retainedHeights;
        add(Block.genesis());
    }

    Block get(BlockHash hash) {
        return byHash.get(hash);
    }

    void add(Block block) {
        if (byHash.putIfAbsent(block.hash(), block) == null) {
            byHeight.computeIfAbsent(block.height(), h -> new ArrayList<>(2)).add(block);
        }
        missing.remove(block.hash());
    }

    /** Notes that {@code hash} is wanted; true when it was not already known or wanted. */
    boolean want(BlockHash hash) {
        if (byHash.containsKey(hash) || missing.contains(hash)) {
            return false;
        }
        if (missing.size() == MAX_MISSING) {
            missing.removeFirst();
        }
        missing.add(hash);
        return true;
    }

    boolean isWanted(BlockHash hash) {
        return missing.contains(hash);
    }

    Iterable<BlockHash> missing() {
        return missing;
    }

    /** Forgets blocks far enough below {@code decidedHeight}. */
    void prune(long decidedHeight) {
        var old = byHeight.headMap(decidedHeight - retainedHeights, false);
        for (List<Block> blocks : old.values()) {
            for (Block b : blocks) {
                byHash.remove(b.hash());
            }
        }
        old.clear();
    }

    int size() {
        return byHash.size();
    }
}
