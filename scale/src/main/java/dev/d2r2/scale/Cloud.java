package dev.d2r2.scale;

import dev.d2r2.core.Cidr;
import dev.d2r2.core.config.InvalidAt;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cloud: a named group of instances on their own network — for the {@code process} driver, a
 * bridge whose first address is the host's, the instances numbered from the second — holding at
 * most {@code capacity} instances; where it is ({@code location}), what it offers
 * ({@code features}) and what an instance costs there ({@code cost}, in any unit shared by the
 * clouds of a file), for {@link PlacementPolicy}; the rate of the link into it ({@code link},
 * shaped with tc tbf by the process driver; absent: not shaped); and the broker identity file its
 * driver and instances publish with ({@code identity}: see {@link CloudIdentities}; absent: the
 * scaler's own).
 */
public record Cloud(String subnet, int capacity, String location, List<String> features, double cost, String link, String identity) {
    /** .1 is the gateway, .254 the image store. */
    static final int MAX_HOSTS = 252;
    private static final Pattern RATE = Pattern.compile("([0-9]+)(bit|kbit|mbit|gbit)");

    public Cloud {
        if (subnet == null) {
            throw new InvalidAt("subnet is required (an IPv4 /24, e.g. 10.81.1.0/24)", "subnet");
        }
        Cidr c;
        try {
            c = Cidr.parse(subnet);
        } catch (IllegalArgumentException e) {
            throw new InvalidAt(e.getMessage(), "subnet");
        }
        if (!c.isIpv4() || c.prefix() != 24) {
            throw new InvalidAt("subnet must be an IPv4 /24 (got " + c + ")", "subnet");
        }
        capacity = capacity == 0 ? MAX_HOSTS : capacity;
        if (capacity < 1 || capacity > MAX_HOSTS) {
            throw new InvalidAt("capacity must be 1-" + MAX_HOSTS, "capacity");
        }
        if (location != null && location.isBlank()) {
            throw new InvalidAt("location must not be blank (leave it out for none)", "location");
        }
        features = features == null ? List.of() : List.copyOf(features);
        if (!(cost >= 0) || Double.isInfinite(cost)) {
            throw new InvalidAt("cost must be a number of at least 0", "cost");
        }
        if (link != null && (!RATE.matcher(link).matches() || linkBitsPerSecond(link) < 8_000)) {
            throw new InvalidAt("link must be a rate of at least 8kbit, as tc writes it: 100mbit, 1gbit", "link");
        }
        if (identity != null && identity.isBlank()) {
            throw new InvalidAt("identity must name a file (leave it out for none)", "identity");
        }
    }

    /** The rate of the link into the cloud, in bits per second; 0 when it is not shaped. */
    public long linkBitsPerSecond() {
        return link == null ? 0 : linkBitsPerSecond(link);
    }

    private static long linkBitsPerSecond(String rate) {
        Matcher m = RATE.matcher(rate);
        if (!m.matches()) {
            return 0;
        }
        long unit = switch (m.group(2)) {
            case "kbit" -> 1_000L;
            case "mbit" -> 1_000_000L;
            case "gbit" -> 1_000_000_000L;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    /** The address of the cloud's image store. */
    public String store() {
        return subnet.substring(0, subnet.lastIndexOf('.')) + ".254";
    }


    /** The address of the instance numbered {@code host} (1 is the first instance; the bridge is .1). */
    public String address(int host) {
        String net = subnet.substring(0, subnet.lastIndexOf('.'));
        return net + "." + (host + 1);
    }

    /** The host side of the bridge: the cloud's gateway. */
    public String gateway() {
        return subnet.substring(0, subnet.lastIndexOf('.')) + ".1";
    }
}
