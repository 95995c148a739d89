package dev.d2r2.scale;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where a type's next instance goes. The rule, in this order:
 * <ol>
 *   <li>only a cloud that meets the type's {@code require} (its location, all its features), is
 *       not closed to the type by a policy prohibition ({@link CloneBan}) and has room (fewer
 *       instances of any type than its capacity) is a candidate;</li>
 *   <li>the cheapest candidate wins (its {@code cost} per instance);</li>
 *   <li>at equal cost, locality: the type's own cloud, then a cloud in the same location as it,
 *       then any other;</li>
 *   <li>then the order the clouds are declared in.</li>
 * </ol>
 * With no costs, locations nor requirements, this is the type's own cloud while it has room, then
 * the next declared cloud with room. Stateless: the caller says how many instances each cloud has.
 */
public final class PlacementPolicy {
    private final ScaleConfig config;
    private final List<String> declared;

    /**
     * A placement: the cloud, or null with why none fits; with a cloud, {@code why} names the
     * clouds a prohibition kept the instance out of (null when none did).
     */
    public record Placement(String cloud, String why) {
    }

    public PlacementPolicy(ScaleConfig config) {
        this.config = config;
        this.declared = List.copyOf(config.clouds().keySet());
    }

    /**
     * @param used the instances each cloud holds now, of every type, starting ones included (a
     *             cloud missing from it holds none)
     */
    public Placement place(String type, Map<String, Integer> used) {
        return place(type, used, cloud -> null);
    }

    /**
     * @param forbidding the policy action that closes a cloud to this type now, or null when none
     *                   does
     */
    public Placement place(String type, Map<String, Integer> used, Function<String, String> forbidding) {
        InstanceType spec = config.type(type);
        Cloud home = config.clouds().get(spec.cloud());
        List<String> candidates = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> forbidden = new ArrayList<>();
        for (String name : declared) {
            Cloud c = config.clouds().get(name);
            if (!spec.require().metBy(c)) {
                refused.add(name + " does not meet the type's require");
                continue;
            }
            String ban = forbidding.apply(name);
            if (ban != null) {
                String why = name + " is forbidden by the policy (" + ban + ")";
                refused.add(why);
                forbidden.add(why);
            } else if (used.getOrDefault(name, 0) >= c.capacity()) {
                refused.add(name + " is full (" + c.capacity() + ")");
            } else {
                candidates.add(name);
            }
        }
        Comparator<String> rule = Comparator.<String>comparingDouble(n -> config.clouds().get(n).cost())
                .thenComparingInt(n -> locality(n, spec.cloud(), home))
                .thenComparingInt(declared::indexOf);
        String kept = forbidden.isEmpty() ? null : String.join("; ", forbidden);
        return candidates.stream().min(rule).map(c -> new Placement(c, kept))
                .orElseGet(() -> new Placement(null, "no cloud for another " + type + " instance: " + String.join("; ", refused)));
    }

    /** 0 for the type's own cloud, 1 for one in the same location, 2 for any other. */
    private int locality(String name, String homeName, Cloud home) {
        if (name.equals(homeName)) {
            return 0;
        }
        String location = config.clouds().get(name).location();
        return location != null && Objects.equals(location, home.location()) ? 1 : 2;
    }
}
