package dev.d2r2.sip.edge;

import dev.d2r2.core.Cidr;
import dev.d2r2.core.Clock;
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

    private record Block(Cidr range, long until) {
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

    /**
     * Blocks an address ({@code 192.0.2.7}), a CIDR block ({@code 192.0.2.0/24}) or a caller
     * ({@code sip:eve@example.com}) until {@code until}; see {@link Target#parse} for what is refused.
     */
    public void block(String target, long until) {
        block(Target.parse(target), until);
    }

    public void block(Target target, long until) {
        switch (target) {
            case Target.Caller c -> blockedCallers.put(c.aor(), until);
            case Target.Addresses a when a.block().isAddress() -> blockedSources.put(a.block().address(), until);
            case Target.Addresses a -> {
                blockedRanges.removeIf(b -> b.range().equals(a.block()));
                blockedRanges.add(new Block(a.block(), until));
            }
        }
    }

    public void unblock(String target) {
        unblock(Target.parse(target));
    }

    public void unblock(Target target) {
        switch (target) {
            case Target.Caller c -> blockedCallers.remove(c.aor());
            case Target.Addresses a when a.block().isAddress() -> blockedSources.remove(a.block().address());
            case Target.Addresses a -> blockedRanges.removeIf(b -> b.range().equals(a.block()));
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
        for (Block b : blockedRanges) {
            if (b.until() <= now) {
                blockedRanges.remove(b);
            } else if (b.range().contains(source)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Limits requests from {@code source} (one address) to {@code perSecond}; {@code method} null
     * for all requests, else only that method's (INVITE, REGISTER).
     */
    public void rateLimit(String source, double perSecond, String method, long until) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be positive and finite: " + perSecond);
        }
        limits.put(key(source(source), method), new Bucket(perSecond, method, until, clock.millis()));
    }

    public void unlimit(String source, String method) {
        limits.remove(key(source(source), method));
    }

    /** The address as the receive path writes it, so {@code ::1} and {@code 0:0:0:0:0:0:0:1} are one source. */
    private static String source(String text) {
        if (!(Target.parse(text) instanceof Target.Addresses(Cidr a)) || !a.isAddress()) {
            throw new IllegalArgumentException("a rate limit applies to one source address, not \"" + text + "\"");
        }
        return a.address().getHostAddress();
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
