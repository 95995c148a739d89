package dev.d2r2.tunnel.node;

import dev.d2r2.core.Cidr;

import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * A DN's addresses as the thesis partitions them (§3.1, §4.4). Its primary subnet (the pool) is
 * cut into one block per backup DN: an EN whose first secondary is dn2 gets its address from
 * dn2's block, so that when this DN fails dn2 can take the whole block with one route instead of
 * one per EN. ENs with a backup that has no block get one from the rest of the pool. Its
 * secondary subnets are the blocks of other DNs' pools whose ENs fail over to it: as a secondary
 * it accepts an EN's address only from them (from anywhere in {@code clients} when none are
 * configured).
 */
final class AddressPlan {
    private final Cidr pool;
    private final Map<String, Cidr> blocks;
    private final List<Cidr> secondary;
    private final Cidr clients;

    AddressPlan(Cidr pool, Map<String, Cidr> blocks, List<Cidr> secondary, Cidr clients) {
        this.pool = pool;
        this.blocks = Map.copyOf(blocks);
        this.secondary = List.copyOf(secondary);
        this.clients = clients;
    }

    Cidr pool() {
        return pool;
    }

    /**
     * The lowest address that is not {@code taken}, from {@code backup}'s block or, when it has
     * none, from the pool outside every block; never the pool's network or broadcast address.
     * 0 when that range is full.
     */
    int free(String backup, IntPredicate taken) {
        Cidr block = blocks.get(backup);
        Cidr range = block == null ? pool : block;
        int network = Ipv4.network(pool);
        int broadcast = network + (int) ((1L << 32 - pool.prefix()) - 1);
        int first = Ipv4.network(range);
        long size = 1L << 32 - range.prefix();
        for (long i = 0; i < size; i++) {
            int candidate = first + (int) i;
            if (candidate != network && candidate != broadcast && (block != null || !inBlock(candidate)) && !taken.test(candidate)) {
                return candidate;
            }
        }
        return 0;
    }

    private boolean inBlock(int address) {
        return blocks.values().stream().anyMatch(b -> Ipv4.contains(b, address));
    }

    /** Why this DN may not hold {@code address} for an EN, as its primary or as a secondary; null when it may. */
    String refusal(int address, boolean primary) {
        if (!Ipv4.contains(clients, address)) {
            return Ipv4.text(address) + " is outside the client network " + clients;
        }
        if (primary && !Ipv4.contains(pool, address)) {
            return Ipv4.text(address) + " is not in this DN's pool " + pool;
        }
        if (!primary && !secondary.isEmpty() && secondary.stream().noneMatch(s -> Ipv4.contains(s, address))) {
            return Ipv4.text(address) + " is in none of this DN's secondary subnets " + secondary;
        }
        return null;
    }
}
