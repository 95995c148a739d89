package dev.d2r2.tunnel.node;

/** From the UDP reader to the DN role: an EN's data arrived at a DN that is not carrying it yet. */
record Activate(int tunnelId) {
}
