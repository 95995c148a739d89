package dev.d2r2.cluster.command;

/** A right on a channel that the control table grants to an identity. */
public enum Right {
    PUBLISH, SUBSCRIBE
}
