package dev.d2r2.p2psip.tunnel;

/**
 * Everything a relay holds about one tunnel through it (the seed's tunnel binding without the keys):
 * its neighbours, the id it shares with each, and whether it is the last hop, with the id it
 * publishes as entry point. {@code successor} is null and {@code outId} 0 for the last hop.
 */
public record HopView(Hop predecessor, int inId, Hop successor, int outId, boolean last, int entryId) {
}
