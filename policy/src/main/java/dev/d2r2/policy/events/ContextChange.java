package dev.d2r2.policy.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code policy.context} event: a context instance started, was activated, renewed, cleared,
 * expired or ended. A state event from {@code inactive} or {@code active} to {@code active} or
 * {@code inactive}; its source is the instance's id.
 *
 * @param stamp     when the instance was activated or last renewed (actions are deployed once per stamp)
 * @param expires   when it expires, or {@link #NEVER}
 * @param empowered the subject each role is empowered to, by role
 * @param cause     the event behind the change, or null
 */
public record ContextChange(long time, ContextId instance, Change change, long stamp, long expires,
                            Map<String, String> empowered, Cause cause) {
    public static final long NEVER = Long.MAX_VALUE;
    public static final String CONTEXT = "context";
    public static final String CHANGE = "change";
    public static final String STAMP = "stamp";
    public static final String EXPIRES = "expires";
    public static final String BIND = "bind.";
    public static final String EMPOWER = "empower.";
    public static final String ACTIVE = "active";
    public static final String INACTIVE = "inactive";

    public enum Change {
        STARTED(INACTIVE, ACTIVE), ACTIVATED(INACTIVE, ACTIVE), RENEWED(ACTIVE, ACTIVE),
        CLEARED(ACTIVE, INACTIVE), EXPIRED(ACTIVE, INACTIVE), ENDED(ACTIVE, INACTIVE);

        private final String from;
        private final String to;

        Change(String from, String to) {
            this.from = from;
            this.to = to;
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the instance holds after this change. */
        public boolean holds() {
            return to.equals(ACTIVE);
        }

        static Change of(String key) throws EventFormatException {
            for (Change c : values()) {
                if (c.key().equals(key)) {
                    return c;
                }
            }
            throw new EventFormatException(PolicyEvents.CONTEXT.name() + ": unknown change " + key);
        }
    }

    public ContextChange {
        empowered = empowered.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(empowered));
    }

    public Event toEvent() {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(CONTEXT, instance.name());
        attrs.put(CHANGE, change.key());
        attrs.put(STAMP, stamp);
        if (expires != NEVER) {
            attrs.put(EXPIRES, expires);
        }
        Prefixed.put(attrs, BIND, instance.params());
        Prefixed.put(attrs, EMPOWER, empowered);
        if (cause != null) {
            cause.into(attrs);
        }
        return Event.state(PolicyEvents.CONTEXT.name(), time, instance.id(), change.from, change.to, attrs);
    }

    public static ContextChange from(Event e) throws EventFormatException {
        EventAttrs.expect(e, PolicyEvents.CONTEXT);
        ContextId instance = new ContextId(EventAttrs.string(e, CONTEXT), Prefixed.read(e, BIND));
        return new ContextChange(e.time(), instance, Change.of(EventAttrs.string(e, CHANGE)), EventAttrs.integer(e, STAMP),
                EventAttrs.integer(e, EXPIRES, NEVER), Prefixed.read(e, EMPOWER), Cause.from(e));
    }
}
