package dev.d2r2.bft;

/** Why a replica dropped a message; each is counted (see {@link Replica#rejections}). */
public enum Rejection {
    /** The transport named a sender outside the committee. */
    UNKNOWN_SENDER,
    /** A phase message from a replica that does not lead its view, or a vote to a non-leader. */
    WRONG_LEADER,
    /** A message for a view this replica has left. */
    STALE_VIEW,
    /** A proposal whose block is not a well-formed child of its justification. */
    MALFORMED_PROPOSAL,
    /** A certificate with a bad or missing signature, duplicate or unknown signers, or too few. */
    BAD_CERTIFICATE,
    /** A vote whose signature does not verify, or whose voter is not its sender. */
    BAD_VOTE,
    /** A vote for something other than what this leader is collecting (late, or equivocating). */
    UNEXPECTED_VOTE,
    /** A second message where one per view is allowed (a repeated vote or proposal). */
    DUPLICATE,
    /** A proposal failing safeNode: neither extending the lock nor justified by a newer view. */
    UNSAFE_PROPOSAL,
    /** A block nobody asked for, or one that does not match the hash it was asked for by. */
    UNSOLICITED_BLOCK,
    /** A decided block that does not extend this replica's decided chain: the fault bound was broken. */
    CONFLICTING_DECISION,
    /** A forwarded command that does not decode or names an origin other than its sender. */
    MALFORMED_FORWARD,
    /**
     * A checkpoint vote whose signature does not verify, or a checkpoint whose certificate does
     * not verify, whose state does not match the certified digest or does not decode.
     */
    BAD_CHECKPOINT
}
