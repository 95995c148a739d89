package dev.d2r2.cosip;

import dev.d2r2.cosip.events.ModeChange.Mode;

import java.util.Map;

/** A proxy's state: where new calls go, whether the provider answers, what it holds, its counters. */
public record CosipStatus(Mode mode, boolean providerUp, int calls, int registrations, Map<String, Long> counters) {
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }
}
