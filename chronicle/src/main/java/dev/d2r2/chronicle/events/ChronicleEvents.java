package dev.d2r2.chronicle.events;

import dev.d2r2.core.events.Attribute;
import dev.d2r2.core.events.EventCatalogue;
import dev.d2r2.core.events.EventType;

import java.util.List;

/**
 * What the chronicle module publishes: one alert per recognition. It accepts events of any type
 * (the chronicle files name them), so it declares no input type.
 */
public final class ChronicleEvents implements EventCatalogue {
    /** The recognized chronicle's name. */
    public static final String CHRONICLE = "chronicle";
    /** Whether events may have been lost within the recognition's span (a Missing-Event notice overlapped it). */
    public static final String UNCERTAIN = "uncertain";
    /** The ids of the events bound by the event statements, in statement order, comma-separated. */
    public static final String EVENTS = "events";

    public static final EventType ALERT = new EventType("<alert>", EventType.Kind.MESSAGE,
            "chronicle role (`d2r2 chronicle watch`, `chronicles:` in `d2r2 run`)",
            "`chronicles.alerts` (default `alerts`)",
            "the `source` the chronicle's `emit` gives, else none",
            List.of(Attribute.required(CHRONICLE, String.class, "the name of the recognized chronicle"),
                    Attribute.required(UNCERTAIN, Boolean.class,
                            "events may have been lost within the recognition's span (a Missing-Event notice overlapped it)"),
                    Attribute.required(EVENTS, String.class,
                            "the ids of the events bound by the event statements, in statement order, comma-separated")),
            "A recognition. Its type is chosen by the chronicle file: the type of the event its "
                    + "`when recognized { emit T[...] }` block emits, else the chronicle's name. Besides the attributes "
                    + "below it carries the emitted attributes (strings, integers for time points), or, without "
                    + "`emit`, every variable the chronicle bound, as a string named after the variable.",
            "{\"id\":\"FloodingAttack#1\",\"type\":\"FloodingAttack\",\"time\":1733300000000,\"source\":\"edge-1\","
                    + "\"attrs\":{\"chronicle\":\"FloodingAttack\",\"uncertain\":false,\"events\":\"e17,e18\"}}");

    private static final List<EventType> TYPES = List.of(ALERT);

    @Override
    public String module() {
        return "chronicle";
    }

    @Override
    public List<EventType> types() {
        return TYPES;
    }
}
