package dev.d2r2.sip.edge;

import dev.d2r2.core.Event;
import dev.d2r2.sip.events.SourceRate;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sources sending INVITEs faster than a suspect rate (as Kamailio's pike module flags them),
 * measured over the last two windows so that one burst does not make a caller suspect:
 * a {@code sip.source_rate} state event, {@code to} {@code high}, as soon as a source reaches
 * the rate, and {@code normal} once it stayed under half of it for a second. At most
 * {@value #MAX} sources are followed at once, so a flood from a million sources cannot grow it.
 */
final class Suspects {
    static final int MAX = 4096;

    private final double rate;
    private final long quietMs;
    private final String edge;
    /** A suspect source → since when it has been quiet (0: it is not). */
    private final Map<InetAddress, Long> high = new HashMap<>();
    private Map<InetAddress, Long> previous = Map.of();
    private double previousSeconds;
    private long ignored;

    Suspects(double rate, long quietMs, String edge) {
        this.rate = rate;
        this.quietMs = quietMs;
        this.edge = edge;
    }

    /** One window's INVITE counts of the heaviest sources. */
    void window(Map<InetAddress, Long> invites, double seconds, long now, Consumer<Event> sink) {
        Map<InetAddress, Long> before = previous;
        double span = seconds + (previousSeconds > 0 ? previousSeconds : seconds);
        previous = invites;
        previousSeconds = seconds;
        for (Map.Entry<InetAddress, Long> e : invites.entrySet()) {
            double r = (e.getValue() + before.getOrDefault(e.getKey(), 0L)) / span;
            if (r >= rate) {
                Long quiet = high.get(e.getKey());
                if (quiet == null) {
                    if (high.size() >= MAX) {
                        ignored++;
                        continue;
                    }
                    sink.accept(event(now, e.getKey(), SourceRate.HIGH, r));
                }
                high.put(e.getKey(), 0L);
            }
        }
        Iterator<Map.Entry<InetAddress, Long>> it = high.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<InetAddress, Long> s = it.next();
            double r = (invites.getOrDefault(s.getKey(), 0L) + before.getOrDefault(s.getKey(), 0L)) / span;
            if (r >= rate / 2) {
                s.setValue(0L);
            } else if (s.getValue() == 0) {
                s.setValue(now);
            } else if (now - s.getValue() >= quietMs) {
                sink.accept(event(now, s.getKey(), SourceRate.NORMAL, r));
                it.remove();
            }
        }
    }

    private Event event(long now, InetAddress source, String to, double r) {
        return new SourceRate(now, edge, to, source.getHostAddress(), Math.round(r * 10) / 10.0).toEvent();
    }

    int size() {
        return high.size();
    }

    /** Sources that reached the rate while {@value #MAX} others were already suspect. */
    long ignored() {
        return ignored;
    }
}
