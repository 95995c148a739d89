package dev.d2r2.chronicle;

import dev.d2r2.core.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TESS producer and broadcaster: the entry of the input stream. Per event type it knows the
 * consumers (statements) that read it; it forwards an event only if one of them has not asked
 * for such events to be discarded (consumer → producer {@code Discard} / {@code remove-discard}),
 * and drops the others here, at the source, counting them.
 */
final class Producer {
    /** The consumers of one type: one lookup per event finds them all. */
    static final class Route {
        final List<Recognizer.StatementRef> eventConsumers = new ArrayList<>();
        final List<History> histories = new ArrayList<>();
        /** How many consumers want events of this type now. */
        int wanting;
        /** How many consumers have partial instances waiting for this type ({@code Focus}). */
        int focus;
    }

    private final Map<String, Route> routes = new HashMap<>();
    private long discarded;

    Route register(String type) {
        Route r = routes.computeIfAbsent(type, k -> new Route());
        r.wanting++;
        return r;
    }

    /** {@code Discard(C)}: a consumer of {@code type} cannot use its events for now. */
    void discard(String type) {
        routes.get(type).wanting--;
    }

    /** {@code remove-discard}: the consumer needs events of {@code type} again. */
    void removeDiscard(String type) {
        routes.get(type).wanting++;
    }

    /** {@code Focus(C)}: a consumer has instances waiting for events of {@code type}. */
    void focus(String type) {
        routes.get(type).focus++;
    }

    /** {@code remove-focus}. */
    void removeFocus(String type) {
        routes.get(type).focus--;
    }

    /** The route of an input event, or null when it is dropped at the source. */
    Route forward(Event e) {
        Route r = routes.get(e.type());
        if (r == null || r.wanting == 0) {
            discarded++;
            return null;
        }
        return r;
    }

    /** The route of an emitted event (never discarded: emitted types feed event statements directly). */
    Route route(String type) {
        return routes.get(type);
    }

    long discarded() {
        return discarded;
    }
}
