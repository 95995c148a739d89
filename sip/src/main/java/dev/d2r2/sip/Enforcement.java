package dev.d2r2.sip;

import dev.d2r2.core.Clock;
import dev.d2r2.core.SubjectPattern;

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
    private final Map<String, Long> blockedSources = new ConcurrentHashMap<>();
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
        if (target.contains("@") || target.startsWith("sip:") || target.startsWith("sips:")) {
            blockedCallers.put(aor(target), until);
        } else if (target.contains("/")) {
            SubjectPattern p = SubjectPattern.parse(target);
            blockedRanges.removeIf(b -> b.text().equals(target));
            blockedRanges.add(new Block(target, p, until));
        } else {
            blockedSources.put(SubjectPattern.parse(target).toString(), until);
        }
    }

    public void unblock(String target) {
        blockedCallers.remove(aor(target));
        blockedRanges.removeIf(b -> b.text().equals(target));
        blockedSources.remove(target);
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

    /** Why a request from {@code from} must be dropped, or null. */
    String refusal(InetSocketAddress from, SipMessage m) {
        if (blockedSources.isEmpty() && blockedRanges.isEmpty() && blockedCallers.isEmpty() && limits.isEmpty()) {
            return null;
        }
        long now = clock.millis();
        String source = from.getAddress().getHostAddress();
        if (live(blockedSources, source, now)) {
            return "blocked";
        }
        for (Block b : blockedRanges) {
            if (b.until() <= now) {
                blockedRanges.remove(b);
            } else if (b.pattern().matches(source)) {
                return "blocked";
            }
        }
        if (!blockedCallers.isEmpty()) {
            String fromHeader = m.first(Header.FROM);
            if (fromHeader != null && live(blockedCallers, aor(fromHeader), now)) {
                return "blocked";
            }
        }
        if (!limits.isEmpty()) {
            if (!allowed(source, null, now) || !allowed(source, m.method(), now)) {
                return "rate_limited";
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

    private static boolean live(Map<String, Long> m, String key, long now) {
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

    /** {@code user@host} of a From value or a URI, lower-cased host, without scheme, display name or parameters. */
    static String aor(String text) {
        String t = Hop.bracketed(text);
        if (t == null) {
            int semi = text.indexOf(';');
            t = (semi < 0 ? text : text.substring(0, semi)).strip();
        }
        int colon = t.indexOf(':');
        if (colon >= 0 && (t.startsWith("sip:") || t.startsWith("sips:") || t.startsWith("tel:"))) {
            t = t.substring(colon + 1);
        }
        int semi = t.indexOf(';');
        t = semi < 0 ? t : t.substring(0, semi);
        int at = t.indexOf('@');
        return at < 0 ? t : t.substring(0, at) + "@" + t.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** How many blocks and limits are in force (expired ones may still count until next looked at). */
    public int size() {
        return blockedSources.size() + blockedRanges.size() + blockedCallers.size() + limits.size();
    }
}
