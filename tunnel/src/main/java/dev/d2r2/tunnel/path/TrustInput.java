package dev.d2r2.tunnel.path;

/**
 * A change of trust in a path or a peer, by name, as the application translates it from a
 * diagnosis indictment or clearance or a policy decision.
 */
public record TrustInput(String subject, Change change) {
    public enum Change {
        /** An indictment: trust lowered by the configured step. */
        INDICT,
        /** A policy's distrust: trust 0. */
        DISTRUST,
        /** A clearance, or the distrust revoked: full trust again. */
        RESTORE
    }
}
