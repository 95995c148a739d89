package dev.d2r2.app.events;

import dev.d2r2.core.events.EventCatalogue;

import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Every module's declared events, found through {@link ServiceLoader}: a module registers its
 * {@link EventCatalogue} in {@code META-INF/services}, and the CLI and the catalogue check see it.
 */
public final class Catalogues {
    /** The order of the modules in {@code docs/events.md}: the loop's order, then alphabetical. */
    private static final List<String> ORDER = List.of("broker", "monitor", "diagnosis", "chronicle", "policy", "sip");

    private Catalogues() {
    }

    public static List<EventCatalogue> all() {
        return ServiceLoader.load(EventCatalogue.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt((EventCatalogue c) -> rank(c.module())).thenComparing(EventCatalogue::module))
                .toList();
    }

    private static int rank(String module) {
        int i = ORDER.indexOf(module);
        return i < 0 ? ORDER.size() : i;
    }
}
