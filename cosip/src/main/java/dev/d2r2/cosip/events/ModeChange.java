package dev.d2r2.cosip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Locale;
import java.util.Map;

/** {@code cosip.mode}: the proxy now sends new calls through the server or through the DHT. */
public record ModeChange(long time, String proxy, Mode from, Mode to, String reason) {
    public static final String REASON = "reason";

    /** Where new calls go. */
    public enum Mode {
        SERVER, P2P;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Mode of(String label) throws EventFormatException {
            for (Mode m : values()) {
                if (m.label().equals(label)) {
                    return m;
                }
            }
            throw new EventFormatException("cosip.mode: a mode is server or p2p, not " + label);
        }
    }

    public Event toEvent() {
        return Event.state(CosipEvents.MODE.name(), time, proxy, from.label(), to.label(), Map.of(REASON, reason));
    }

    public static ModeChange from(Event e) throws EventFormatException {
        EventAttrs.expect(e, CosipEvents.MODE);
        return new ModeChange(e.time(), e.source(), Mode.of(e.from()), Mode.of(e.to()), EventAttrs.string(e, REASON));
    }
}
