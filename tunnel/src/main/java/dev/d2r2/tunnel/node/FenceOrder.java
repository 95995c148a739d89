package dev.d2r2.tunnel.node;

/** From the fence API to the DN failure detector: fence the DN of that name, or lift its fence. */
record FenceOrder(String dn, boolean fenced) {
}
