package dev.d2r2.scale.kube;

import dev.d2r2.core.Event;
import dev.d2r2.core.events.EventType;
import dev.d2r2.scale.events.InstanceChange;
import dev.d2r2.scale.events.ScaleEvents;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The events a scaler publishes, kept for a test to read back as the records of their type. */
final class RecordedEvents implements Consumer<Event> {
    /** A record's {@code from(Event)}. */
    interface Parse<T> {
        T from(Event e) throws Exception;
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Event e) {
        events.add(e);
    }

    List<Event> all() {
        return events;
    }

    void clear() {
        events.clear();
    }

    /** Every event of {@code type} so far, as its record; one that does not decode fails the test. */
    <T> List<T> of(EventType type, Parse<T> parse) {
        return events.stream().filter(e -> e.type().equals(type.name())).map(e -> {
            try {
                return parse.from(e);
            } catch (Exception x) {
                throw new AssertionError(x);
            }
        }).toList();
    }

    List<InstanceChange> changes() {
        return of(ScaleEvents.INSTANCE, InstanceChange::from);
    }

    List<InstanceChange> changesOf(String instance) {
        return changes().stream().filter(c -> c.instance().equals(instance)).toList();
    }
}
