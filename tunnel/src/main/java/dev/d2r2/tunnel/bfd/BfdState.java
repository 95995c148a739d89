package dev.d2r2.tunnel.bfd;

/** A BFD session's state (RFC 5880 §4.1, the Sta field's values in order). */
public enum BfdState {
    ADMIN_DOWN, DOWN, INIT, UP;

    static BfdState of(int code) {
        return values()[code & 3];
    }
}
