package dev.d2r2.scale;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlacementPolicyTest {
    private static final String TYPES = """
            clouds:
              home:   { subnet: 10.81.1.0/24, capacity: 1, location: eu, features: [tls] }
              near:   { subnet: 10.81.2.0/24, capacity: 2, location: eu, features: [tls], cost: 2 }
              far:    { subnet: 10.81.3.0/24, capacity: 2, location: us, features: [tls], cost: 2 }
              cheap:  { subnet: 10.81.4.0/24, capacity: 2, location: us, cost: 1 }
            types:
              sip:
                template: { command: [d2r2, sip-server], port: 5060, cpu: 0.5 }
                cloud: home
                %s
                min: 1
                max: 6
                metrics:
                  active_calls: { warning: 100, critical: 140, warning-for: 2s, critical-for: 500ms }
                target: { metric: active_calls, per-instance: 80 }
                scale-down: { below: 20, for: 10s }
            """;

    private static PlacementPolicy policy(String require) throws Exception {
        return new PlacementPolicy(ScaleConfig.parse("t.yaml", TYPES.formatted(require)));
    }

    @Test
    void homeFirstThenTheCheapestThenLocalityThenDeclarationOrder() throws Exception {
        PlacementPolicy any = policy("");
        assertThat(any.place("sip", Map.of()).cloud()).as("cost 0 at home").isEqualTo("home");
        assertThat(any.place("sip", Map.of("home", 1)).cloud()).as("then the cheapest, wherever it is").isEqualTo("cheap");
        assertThat(any.place("sip", Map.of("home", 1, "cheap", 2)).cloud()).as("equal cost: the home's location first")
                .isEqualTo("near");
        assertThat(any.place("sip", Map.of("home", 1, "cheap", 2, "near", 2)).cloud()).isEqualTo("far");
        PlacementPolicy.Placement none = any.place("sip", Map.of("home", 1, "cheap", 2, "near", 2, "far", 2));
        assertThat(none.cloud()).isNull();
        assertThat(none.why()).isEqualTo("no cloud for another sip instance: home is full (1); near is full (2); far is full (2);"
                + " cheap is full (2)");
    }

    @Test
    void aCloudThePolicyForbidsIsSkippedAndNamedWithItsProhibition() throws Exception {
        PlacementPolicy any = policy("");
        Map<String, String> bans = Map.of("cheap", "scaler-placement/forbid-clone/cheap");
        PlacementPolicy.Placement elsewhere = any.place("sip", Map.of("home", 1), bans::get);
        assertThat(elsewhere.cloud()).as("the next cloud the rule allows").isEqualTo("near");
        assertThat(elsewhere.why()).isEqualTo("cheap is forbidden by the policy (scaler-placement/forbid-clone/cheap)");
        assertThat(any.place("sip", Map.of(), bans::get)).as("a ban on a cloud not chosen still shows")
                .isEqualTo(new PlacementPolicy.Placement("home", "cheap is forbidden by the policy (scaler-placement/forbid-clone/cheap)"));
        PlacementPolicy.Placement none = any.place("sip", Map.of("near", 2, "far", 2),
                c -> c.equals("home") || c.equals("cheap") ? "ban/" + c : null);
        assertThat(none.cloud()).isNull();
        assertThat(none.why()).isEqualTo("no cloud for another sip instance: home is forbidden by the policy (ban/home); near is full (2);"
                + " far is full (2); cheap is forbidden by the policy (ban/cheap)");
    }

    @Test
    void aRequirementKeepsTheTypeOutOfCloudsThatDoNotMeetIt() throws Exception {
        PlacementPolicy tls = policy("require: { features: [tls] }");
        assertThat(tls.place("sip", Map.of("home", 1)).cloud()).as("cheap has no tls").isEqualTo("near");
        PlacementPolicy eu = policy("require: { location: eu }");
        assertThat(eu.place("sip", Map.of("home", 1, "near", 2)).cloud()).isNull();
        assertThat(eu.place("sip", Map.of("home", 1, "near", 2)).why()).contains("far does not meet the type's require");
    }

    // properties over random clouds: locations and features from small sets, so that they meet

    private static final List<String> LOCATIONS = List.of("eu", "us", "ap");
    private static final List<String> FEATURES = List.of("tls", "gpu", "v6");

    record Spec(Cloud cloud, int used) {
    }

    record World(ScaleConfig config, Map<String, Integer> used) {
    }

    @Provide
    Arbitrary<World> worlds() {
        Arbitrary<Spec> spec = Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.of(LOCATIONS).injectNull(0.3),
                Arbitraries.subsetOf(FEATURES), Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 4))
                .as((capacity, location, features, cost, used) -> new Spec(
                        new Cloud("10.81.0.0/24", capacity, location, List.copyOf(features), cost, null, null), Math.min(used, capacity)));
        return Combinators.combine(spec.list().ofMinSize(1).ofMaxSize(6), Arbitraries.integers().between(0, 5),
                Arbitraries.of(true, false), Arbitraries.subsetOf(FEATURES)).as((specs, homeIndex, needLocation, wanted) -> {
                    Map<String, Cloud> clouds = new LinkedHashMap<>();
                    Map<String, Integer> used = new HashMap<>();
                    for (int i = 0; i < specs.size(); i++) {
                        clouds.put("c" + i, specs.get(i).cloud());
                        used.put("c" + i, specs.get(i).used());
                    }
                    String home = "c" + (homeIndex % specs.size());
                    Cloud h = clouds.get(home);
                    // the requirement is one its own cloud meets: a part of what it offers
                    List<String> features = h.features().stream().filter(wanted::contains).toList();
                    Requirement require = new Requirement(needLocation ? h.location() : null, features);
                    InstanceType base = sip();
                    InstanceType t = new InstanceType(base.template(), home, base.min(), base.max(), base.metrics(), base.target(),
                            base.scaleDown(), base.cooldown(), base.largestStep(), base.drainDeadline(), require);
                    return new World(new ScaleConfig(clouds, Map.of("sip", t)), used);
                });
    }

    private static InstanceType sip() {
        try {
            return ScaleConfig.parse("t.yaml", TYPES.formatted("")).type("sip");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> candidates(World w) {
        List<String> out = new ArrayList<>();
        Requirement r = w.config().type("sip").require();
        w.config().clouds().forEach((n, c) -> {
            if (r.metBy(c) && w.used().get(n) < c.capacity()) {
                out.add(n);
            }
        });
        return out;
    }

    @Property(tries = 300)
    void theChosenCloudMeetsTheRequirementAndHasRoom(@ForAll("worlds") World w) {
        String chosen = new PlacementPolicy(w.config()).place("sip", w.used()).cloud();
        if (chosen != null) {
            Cloud c = w.config().clouds().get(chosen);
            assertThat(w.config().type("sip").require().metBy(c)).isTrue();
            assertThat(w.used().get(chosen)).isLessThan(c.capacity());
        }
    }

    @Property(tries = 300)
    void aCloudIsChosenWheneverOneFits(@ForAll("worlds") World w) {
        PlacementPolicy.Placement p = new PlacementPolicy(w.config()).place("sip", w.used());
        assertThat(p.cloud() != null).isEqualTo(!candidates(w).isEmpty());
        assertThat(p.cloud() == null ? p.why() : "").isNotNull();
    }

    @Property(tries = 300)
    void noCloudThatFitsIsCheaperNorAtEqualCostCloser(@ForAll("worlds") World w) {
        String chosen = new PlacementPolicy(w.config()).place("sip", w.used()).cloud();
        if (chosen == null) {
            return;
        }
        String home = w.config().type("sip").cloud();
        double cost = w.config().clouds().get(chosen).cost();
        for (String c : candidates(w)) {
            double other = w.config().clouds().get(c).cost();
            assertThat(other).isGreaterThanOrEqualTo(cost);
            if (other == cost && !chosen.equals(home)) {
                assertThat(c).as("the home cloud fits at the same cost").isNotEqualTo(home);
            }
        }
    }

    @Property(tries = 300)
    void withEqualCostsTheHomeCloudIsChosenWhileItHasRoom(@ForAll("worlds") World w) {
        String home = w.config().type("sip").cloud();
        boolean equalCosts = w.config().clouds().values().stream().mapToDouble(Cloud::cost).distinct().count() == 1;
        if (equalCosts && w.used().get(home) < w.config().clouds().get(home).capacity()) {
            assertThat(new PlacementPolicy(w.config()).place("sip", w.used()).cloud()).isEqualTo(home);
        }
    }

    @Property(tries = 300)
    void aForbiddenCloudIsNeverChosenAndBansElsewhereChangeNothing(@ForAll("worlds") World w, @ForAll int mask) {
        List<String> names = new ArrayList<>(w.config().clouds().keySet());
        java.util.function.Function<String, String> bans = c -> (mask >>> names.indexOf(c) & 1) == 1 ? "ban/" + c : null;
        PlacementPolicy policy = new PlacementPolicy(w.config());
        String chosen = policy.place("sip", w.used(), bans).cloud();
        if (chosen != null) {
            assertThat(bans.apply(chosen)).isNull();
        }
        String free = policy.place("sip", w.used()).cloud();
        if (free != null && bans.apply(free) == null) {
            assertThat(chosen).as("the unbanned choice stands").isEqualTo(free);
        }
    }
}
