package dev.d2r2.tunnel.events;

import dev.d2r2.core.Event;
import dev.d2r2.core.EventFormatException;
import dev.d2r2.core.events.EventAttrs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tunnel.dn.map}: a DN's whole entry in the EN-to-DN map, published on every change. {@code carrying} is
 * every EN address the DN carries after the change; {@code change} says what happened ({@code attach}: it started
 * carrying {@code address}, the EN's attach, failover or failback to it; {@code release}: it stopped; {@code start}:
 * the DN started, carrying nothing, with {@code address} {@code none}); {@code reason} is the DN's cause, as in
 * {@code tunnel.dn.carrier}. {@code seq} rises with every report, across the DN's restarts, so a reader takes
 * only reports newer than the last it accepted from that DN.
 */
public record DnMapReported(long time, String dn, long seq, String change, String reason, String address, List<String> carrying) {
    public static final String ATTACH = "attach";
    public static final String RELEASE = "release";
    public static final String START = "start";
    public static final String NONE = "none";
    public static final String SEQ = "seq";
    public static final String CHANGE = "change";
    public static final String REASON = "reason";
    public static final String ADDRESS = "address";
    public static final String CARRYING = "carrying";

    public DnMapReported {
        carrying = List.copyOf(carrying);
    }

    public Event toEvent() {
        return Event.message(TunnelEvents.DN_MAP.name(), time, dn,
                Map.of(SEQ, seq, CHANGE, change, REASON, reason, ADDRESS, address, CARRYING, String.join(",", carrying)));
    }

    /** The report, with every address checked as a dotted-quad IPv4 address; anything else is malformed. */
    public static DnMapReported from(Event e) throws EventFormatException {
        EventAttrs.expect(e, TunnelEvents.DN_MAP);
        if (e.source() == null || e.source().isEmpty()) {
            throw new EventFormatException(e.type() + ": no source (the DN's name)");
        }
        String change = EventAttrs.string(e, CHANGE);
        if (!List.of(ATTACH, RELEASE, START).contains(change)) {
            throw new EventFormatException(e.type() + ": change must be attach, release or start, not '" + change + "'");
        }
        String address = EventAttrs.string(e, ADDRESS);
        if (change.equals(START) ? !address.equals(NONE) : ipv4(address) < 0) {
            throw new EventFormatException(e.type() + ": address '" + address + "' does not fit change " + change);
        }
        String list = EventAttrs.string(e, CARRYING);
        List<String> carrying = new ArrayList<>();
        if (!list.isEmpty()) {
            for (String a : list.split(",", -1)) {
                if (ipv4(a) < 0) {
                    throw new EventFormatException(e.type() + ": carrying: '" + a + "' is not an IPv4 address");
                }
                carrying.add(a);
            }
        }
        return new DnMapReported(e.time(), e.source(), EventAttrs.integer(e, SEQ), change, EventAttrs.string(e, REASON), address,
                carrying);
    }

    /**
     * The address as an unsigned 32-bit value in a long, or -1 unless it is exactly four decimal octets 0-255 with no
     * sign, space or leading zero ({@code InetAddress} would also take host names and shorthand forms).
     */
    public static long ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long value = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || p.length() > 1 && p.charAt(0) == '0' || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                return -1;
            }
            value = value << 8 | octet;
        }
        return value;
    }
}
