package dev.d2r2.tunnel.path;

/** An echo of probe {@code seq} came back on path {@code path} at {@code atNanos}; handed from a path's reader to the role. */
record Echoed(int path, int seq, long atNanos) {
}
