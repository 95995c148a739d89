package dev.d2r2.sip.edge;

/**
 * A change of a backend: {@code added}, {@code removed}, {@code weight}, {@code draining},
 * {@code drained} (its last dialog ended), {@code down} or {@code up} (health), with why.
 */
public record BackendEvent(Backend backend, String state, String why) {
}
