package dev.d2r2.cosip.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.Map;

/** {@code cosip.provider}: the SIP provider went down or came back, as the proxy's probes see it. */
public record ProviderState(long time, String proxy, String server, boolean up, long misses) {
    public static final String SERVER = "server";
    public static final String MISSES = "misses";

    public Event toEvent() {
        return Event.state(CosipEvents.PROVIDER.name(), time, proxy, up ? "down" : "up", up ? "up" : "down",
                Map.of(SERVER, server, MISSES, misses));
    }

    public static ProviderState from(Event e) throws EventFormatException {
        EventAttrs.expect(e, CosipEvents.PROVIDER);
        if (!"up".equals(e.to()) && !"down".equals(e.to())) {
            throw new EventFormatException("cosip.provider: 'to' is up or down, not " + e.to());
        }
        return new ProviderState(e.time(), e.source(), EventAttrs.string(e, SERVER), "up".equals(e.to()), EventAttrs.integer(e, MISSES));
    }
}
