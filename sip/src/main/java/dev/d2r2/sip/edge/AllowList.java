package dev.d2r2.sip.edge;

import dev.d2r2.core.Cidr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sources the edge never blocks or rate-limits, whoever asks: address blocks (an address or CIDR
 * block) and callers ({@code sip:noc@example.com}), written as a policy's {@code safety.allow}.
 * A target is covered when it shares an address with an allowed block (a block of
 * {@code 10.0.0.0/8} covers the allowed {@code 10.1.2.3}, and the other way round) or is an
 * allowed caller.
 */
public final class AllowList {
    public static final AllowList NONE = new AllowList(List.of(), Set.of());
    private final List<Cidr> blocks;
    private final Set<String> callers;

    private AllowList(List<Cidr> blocks, Set<String> callers) {
        this.blocks = blocks;
        this.callers = callers;
    }

    /** Parses the entries; the exception names the entry that is neither a block nor a caller. */
    public static AllowList of(List<String> entries) {
        List<Cidr> blocks = new ArrayList<>();
        Set<String> callers = new LinkedHashSet<>();
        for (String e : entries) {
            try {
                switch (Target.parse(e)) {
                    case Target.Addresses a -> blocks.add(a.block());
                    case Target.Caller c -> callers.add(c.aor());
                }
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("allow-list entry \"" + e + "\": " + x.getMessage(), x);
            }
        }
        return new AllowList(List.copyOf(blocks), Set.copyOf(callers));
    }

    /**
     * The entries of a policy's {@code safety.allow} that name addresses or callers; the others
     * (a user name, say) name nothing the edge could block.
     */
    public static AllowList ofPolicy(List<String> entries) {
        return of(entries.stream().filter(e -> {
            try {
                Target.parse(e);
                return true;
            } catch (IllegalArgumentException x) {
                return false;
            }
        }).toList());
    }

    /** The allowed entry {@code t} would cover, or null. */
    public String covered(Target t) {
        return switch (t) {
            case Target.Addresses a -> blocks.stream().filter(b -> b.overlaps(a.block())).findFirst().map(Cidr::toString).orElse(null);
            case Target.Caller c -> callers.contains(c.aor()) ? c.aor() : null;
        };
    }

    /** This list and {@code other}'s entries together. */
    public AllowList and(AllowList other) {
        List<Cidr> b = new ArrayList<>(blocks);
        b.addAll(other.blocks);
        Set<String> c = new LinkedHashSet<>(callers);
        c.addAll(other.callers);
        return new AllowList(List.copyOf(b), Set.copyOf(c));
    }

    public boolean isEmpty() {
        return blocks.isEmpty() && callers.isEmpty();
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(blocks.stream().map(Cidr::toString).toList());
        all.addAll(callers);
        return all.toString();
    }
}
