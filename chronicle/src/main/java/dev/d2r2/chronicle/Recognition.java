package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.List;
import java.util.Map;

/**
 * One recognized chronicle instance (spec §5). {@code matched} holds the bound events in
 * statement order, for {@code --explain}.
 */
public record Recognition(String chronicle, long at, Map<String, Long> times, List<String> events,
                          Map<String, String> bindings, boolean uncertain, Chronicle definition, List<Event> matched) {
}
