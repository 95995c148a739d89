package dev.d2r2.overlay.kad;

import java.util.List;

/** What the node's operations hand their callbacks. */
public final class Results {
    private Results() {
    }

    /** A FIND_NODE lookup's end: the k closest nodes that answered, closest first. */
    public record LookupResult(NodeId target, List<Contact> closest, int hops, int queries, boolean timedOut) {
    }

    /** A get's end: the newest valid value found, or null. */
    public record GetResult(NodeId key, SignedValue value, int hops, int queries) {
    }

    /** A put's end: how many of the k closest nodes accepted the value, of how many asked. */
    public record PutResult(NodeId key, int stored, int asked) {
    }
}
