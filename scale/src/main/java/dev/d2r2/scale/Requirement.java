package dev.d2r2.scale;

import dev.d2r2.core.config.InvalidAt;

import java.util.List;

/**
 * What a cloud must offer to run a type's instances: a location (e.g. a jurisdiction the data
 * must stay in) and features (e.g. {@code sip-tls}). Absent means any.
 */
public record Requirement(String location, List<String> features) {
    public static final Requirement NONE = new Requirement(null, List.of());

    public Requirement {
        if (location != null && location.isBlank()) {
            throw new InvalidAt("location must not be blank (leave it out for any)", "location");
        }
        features = features == null ? List.of() : List.copyOf(features);
    }

    /** Whether {@code cloud} meets it. */
    public boolean metBy(Cloud cloud) {
        return (location == null || location.equals(cloud.location())) && cloud.features().containsAll(features);
    }
}
