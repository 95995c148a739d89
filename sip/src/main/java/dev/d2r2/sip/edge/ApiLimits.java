package dev.d2r2.sip.edge;

import dev.d2r2.core.Cidr;

import java.time.Duration;

/**
 * What the edge's API accepts from an authenticated caller: blocks no wider than
 * {@code minPrefixV4}/{@code minPrefixV6}, nothing on the {@link AllowList}, blocks and rate
 * limits that end within {@code maxDuration} (one without an end, or ending later, is cut to it),
 * and request bodies of at most {@code maxBodyBytes}.
 */
public record ApiLimits(int minPrefixV4, int minPrefixV6, Duration maxDuration, int maxBodyBytes, AllowList allow) {
    public static final int DEFAULT_MIN_PREFIX_V4 = 16;
    public static final int DEFAULT_MIN_PREFIX_V6 = 48;
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofHours(24);
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    public static final ApiLimits DEFAULT = new ApiLimits(DEFAULT_MIN_PREFIX_V4, DEFAULT_MIN_PREFIX_V6, DEFAULT_MAX_DURATION,
            DEFAULT_MAX_BODY_BYTES, AllowList.NONE);

    public ApiLimits {
        if (minPrefixV4 < 0 || minPrefixV4 > 32) {
            throw new IllegalArgumentException("min-prefix-v4 must be 0 to 32, not " + minPrefixV4);
        }
        if (minPrefixV6 < 0 || minPrefixV6 > 128) {
            throw new IllegalArgumentException("min-prefix-v6 must be 0 to 128, not " + minPrefixV6);
        }
        if (!maxDuration.isPositive()) {
            throw new IllegalArgumentException("max-duration must be positive");
        }
        if (maxBodyBytes < 256) {
            throw new IllegalArgumentException("max-body-bytes must be at least 256");
        }
    }

    public ApiLimits withAllow(AllowList a) {
        return new ApiLimits(minPrefixV4, minPrefixV6, maxDuration, maxBodyBytes, a);
    }

    /** Why the edge must not block or limit {@code t}, or null. */
    String refusal(Target t) {
        if (t instanceof Target.Addresses(Cidr c)) {
            int min = c.isIpv4() ? minPrefixV4 : minPrefixV6;
            if (c.prefix() < min) {
                return c + " is wider than the edge accepts: at most /" + min + " for " + (c.isIpv4() ? "IPv4" : "IPv6");
            }
        }
        String allowed = allow.covered(t);
        return allowed == null ? null : t + " is on the allow-list (" + allowed + "): the edge never blocks or limits it";
    }

    /** When an action asked to end at {@code expires} (null: never) ends: at most {@code maxDuration} after {@code now}. */
    long until(Long expires, long now) {
        long cap = now + maxDuration.toMillis();
        return expires == null || expires > cap ? cap : expires;
    }
}
