package dev.d2r2.overlay.kad;

import java.util.List;

/**
 * The Kademlia RPCs. Every message names its sender's id; a reply carries the transaction id of
 * its request, which is how a node matches it and how it refuses replies it did not ask for.
 */
public sealed interface Message {
    long tx();

    NodeId sender();

    record Ping(long tx, NodeId sender) implements Message {
    }

    /**
     * The answer to PING, with the card its sender announces (empty: none) — what an overlay on top
     * needs to know of a node beyond its id and address, opaque to Kademlia.
     */
    record Pong(long tx, NodeId sender, byte[] card) implements Message {
        public Pong {
            card = card.clone();
        }

        public Pong(long tx, NodeId sender) {
            this(tx, sender, new byte[0]);
        }

        @Override
        public byte[] card() {
            return card.clone();
        }
    }

    record FindNode(long tx, NodeId sender, NodeId target) implements Message {
    }

    /** The answer to FIND_NODE, and to FIND_VALUE when the node holds no value for the key. */
    record Nodes(long tx, NodeId sender, List<Contact> contacts) implements Message {
    }

    record FindValue(long tx, NodeId sender, NodeId key) implements Message {
    }

    record Found(long tx, NodeId sender, SignedValue value) implements Message {
    }

    /** Asks the receiver to hold a value for {@code ttlMillis} from now (the rest of its owner's lifetime for it). */
    record Store(long tx, NodeId sender, SignedValue value, long ttlMillis) implements Message {
    }

    record Stored(long tx, NodeId sender, boolean accepted) implements Message {
    }
}
