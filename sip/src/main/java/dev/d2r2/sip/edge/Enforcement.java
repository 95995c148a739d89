package dev.d2r2.sip.edge;

import dev.d2r2.core.Clock;
import dev.d2r2.core.SubjectPattern;
import dev.d2r2.sip.codec.Header;
import dev.d2r2.sip.codec.Hop;
import dev.d2r2.sip.codec.SipMessage;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The remediation the edge enforces, each with an expiry: blocks by source address, CIDR block
 * or caller (the From AOR), and per-source token-bucket rate limits on all requests or on
 * INVITE or REGISTER only. Requests from backends are never subject to them. With nothing in
 * force the check costs two map-size reads.
 */
public final class Enforcement {
    private final Clock clock;
    /** Blocked addresses, keyed by the address itself so the receive loop checks a datagram's source before parsing it. */
    private final Map<InetAddress, Long> blockedSources = new ConcurrentHashMap<>();
    private final List<Block> blockedRanges = new CopyOnWriteArrayList<>();
    private final Map<String, Long> blockedCallers = new ConcurrentHashMap<>();
    private final Map<String, Bucket> limits = new ConcurrentHashMap<>();

    private record Block(String text, SubjectPattern pattern, long until) {
    }

    /** A token bucket: {@code rate} requests a second, bursts up to one second's worth. */
    private static final class Bucket {
        final double rate;
        final String method;
        final long until;
        double tokens;
        long last;

        Bucket(double rate, String method, long until, long now) {
            this.rate = rate;
            this.method = method;
            this.until = until;
            this.tokens = Math.max(1, rate);
            this.last = now;
        }

        synchronized boolean take(long now) {
            tokens = Math.min(Math.max(1, rate), tokens + (now - last) * rate / 1000.0);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    public Enforcement(Clock clock) {
        this.clock = clock;
    }

    /** Blocks an address ({@code 192.0.2.7}), a CIDR block ({@code 192.0.2.0/24}) or a caller ({@code sip:eve@example.com}). */
    public void block(String target, long until) {
        if (caller(target)) {
            blockedCallers.put(Hop.aor(target), until);
        } else if (target.contains("/")) {
            SubjectPattern p = SubjectPattern.parse(target);
            blockedRanges.removeIf(b -> b.text().equals(target));
            blockedRanges.add(new Block(target, p, until));
        } else {
            blockedSources.put(address(target), until);
        }
    }

    public void unblock(String target) {
        if (caller(target)) {
            blockedCallers.remove(Hop.aor(target));
        } else if (target.contains("/")) {
            blockedRanges.removeIf(b -> b.text().equals(target));
        } else {
            blockedSources.remove(address(target));
        }
    }

    private static boolean caller(String target) {
        return target.contains("@") || target.startsWith("sip:") || target.startsWith("sips:");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.ofLiteral(literal.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address, a CIDR block or a caller: " + literal);
        }
    }

    /**
     * Whether {@code source} is blocked by address or range: the receive loop's check on a raw
     * datagram, before it is parsed. Nothing in force costs two map-size reads; an address block,
     * one lookup without allocation.
     */
    boolean blocked(InetAddress source) {
        if (blockedSources.isEmpty() && blockedRanges.isEmpty()) {
            return false;
        }
        long now = clock.millis();
        if (live(blockedSources, source, now)) {
            return true;
        }
        if (blockedRanges.isEmpty()) {
            return false;
        }
        String text = source.getHostAddress();
        for (Block b : blockedRanges) {
            if (b.until() <= now) {
                blockedRanges.remove(b);
            } else if (b.pattern().matches(text)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Limits requests from {@code source} to {@code perSecond}; {@code method} null for all
     * requests, else only that method's (INVITE, REGISTER).
     */
    public void rateLimit(String source, double perSecond, String method, long until) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a rate must be positive: " + perSecond);
        }
        limits.put(key(source, method), new Bucket(perSecond, method, until, clock.millis()));
    }

    public void unlimit(String source, String method) {
        limits.remove(key(source, method));
    }

    private static String key(String source, String method) {
        return method == null ? source : source + ' ' + method.toUpperCase(Locale.ROOT);
    }

    /** Why a request from {@code from} must be dropped ({@link EdgeCounter#DROPPED_BLOCKED} or {@link EdgeCounter#DROPPED_RATE_LIMITED}), or null. */
    EdgeCounter refusal(InetSocketAddress from, SipMessage m) {
        if (blockedSources.isEmpty() && blockedRanges.isEmpty() && blockedCallers.isEmpty() && limits.isEmpty()) {
            return null;
        }
        if (blocked(from.getAddress())) {
            return EdgeCounter.DROPPED_BLOCKED;
        }
        long now = clock.millis();
        if (!blockedCallers.isEmpty()) {
            String fromHeader = m.first(Header.FROM);
            if (fromHeader != null && live(blockedCallers, Hop.aor(fromHeader), now)) {
                return EdgeCounter.DROPPED_BLOCKED;
            }
        }
        if (!limits.isEmpty()) {
            String source = from.getAddress().getHostAddress();
            if (!allowed(source, null, now) || !allowed(source, m.method(), now)) {
                return EdgeCounter.DROPPED_RATE_LIMITED;
            }
        }
        return null;
    }

    private boolean allowed(String source, String method, long now) {
        Bucket b = limits.get(key(source, method));
        if (b == null) {
            return true;
        }
        if (b.until <= now) {
            limits.remove(key(source, method), b);
            return true;
        }
        return b.take(now);
    }

    private static <K> boolean live(Map<K, Long> m, K key, long now) {
        Long until = m.get(key);
        if (until == null) {
            return false;
        }
        if (until <= now) {
            m.remove(key, until);
            return false;
        }
        return true;
    }

    /** How many blocks and limits are in force (expired ones may still count until next looked at). */
    public int size() {
        return blockedSources.size() + blockedRanges.size() + blockedCallers.size() + limits.size();
    }
}
