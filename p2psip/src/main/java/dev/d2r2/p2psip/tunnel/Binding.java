package dev.d2r2.p2psip.tunnel;

/** A relay's state for one tunnel through it: the seed's tunnel binding (ids, neighbours, keys, sequence numbers). */
final class Binding {
    final Link predecessor;
    final int inId;
    final LayerKeys keys;
    final Hop next;
    Link successor;
    int outId;
    int entryId;
    long forwardSequence;
    long backwardSequence;

    Binding(Link predecessor, int inId, LayerKeys keys, Hop next) {
        this.predecessor = predecessor;
        this.inId = inId;
        this.keys = keys;
        this.next = next;
    }

    boolean last() {
        return next == null;
    }

    HopView view() {
        return new HopView(predecessor.peer(), inId, next, outId, last(), entryId);
    }
}
