package dev.d2r2.bft;

import java.util.List;
import java.util.Objects;

/**
 * The messages of basic HotStuff (paper, Algorithm 2) plus block retrieval. Channels are assumed
 * authenticated (paper §3, "Model"): the transport tells the replica who sent each message; only
 * votes carry signatures, because only votes are forwarded to third parties, inside certificates.
 * Every field is non-null unless documented otherwise, so a replica never meets a null.
 */
public sealed interface Msg {

    /**
     * NEW-VIEW: "I am in, or want to move to, {@code view}; here is my highest certificate" (of
     * any phase: each proves its block was prepared in its view). {@code lastCommit}
     * is the certificate of the sender's newest decided block (null before the first), so that a
     * replica which missed a DECIDE catches up at the next view change.
     */
    record NewView(long view, QuorumCert highQc, QuorumCert lastCommit) implements Msg {
        public NewView {
            Objects.requireNonNull(highQc, "highQc");
        }
    }

    /** PREPARE: the leader of {@code view} proposes {@code block}, a child of {@code justify}'s block. */
    record Prepare(long view, Block block, QuorumCert justify) implements Msg {
        public Prepare {
            Objects.requireNonNull(block, "block");
            Objects.requireNonNull(justify, "justify");
        }
    }

    /** A replica's signed vote, sent to the leader of {@code statement.view()}. */
    record Vote(Statement statement, int voter, byte[] signature) implements Msg {
        public Vote {
            Objects.requireNonNull(statement, "statement");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /**
     * A certificate from the leader, which is PRE-COMMIT when it carries a PREPARE certificate,
     * COMMIT when it carries a PRE-COMMIT one and DECIDE when it carries a COMMIT one.
     */
    record Certified(QuorumCert qc) implements Msg {
        public Certified {
            Objects.requireNonNull(qc, "qc");
        }
    }

    /** Asks a peer for a block this replica lacks. */
    record BlockRequest(BlockHash hash) implements Msg {
        public BlockRequest {
            Objects.requireNonNull(hash, "hash");
        }
    }

    /** Answers a {@link BlockRequest}. */
    record BlockResponse(Block block) implements Msg {
        public BlockResponse {
            Objects.requireNonNull(block, "block");
        }
    }

    /**
     * Commands ({@link Command}, encoded) that their origin, the sender, hands to the leader it
     * believes current, for that leader's next proposal.
     */
    record Forward(List<byte[]> commands) implements Msg {
        public Forward {
            commands = List.copyOf(commands);
        }
    }

    /**
     * A replica's signature over its checkpoint after decided block {@code block} at
     * {@code height} ({@link CheckpointCert#signed}), broadcast when it takes the checkpoint.
     */
    record CheckpointVote(long height, BlockHash block, BlockHash digest, int voter, byte[] signature) implements Msg {
        public CheckpointVote {
            Objects.requireNonNull(block, "block");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /** "I have decided up to {@code height} and cannot fetch the blocks after it: send me a newer checkpoint." */
    record CheckpointRequest(long height) implements Msg {
    }

    /** Answers a {@link CheckpointRequest}: the sender's newest certified checkpoint. */
    record CheckpointResponse(Checkpoint checkpoint, CheckpointCert cert) implements Msg {
        public CheckpointResponse {
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(cert, "cert");
        }
    }
}
