package dev.d2r2.cosip;

/**
 * A token bucket for the own user's new calls while in P2P mode: without the provider's
 * accounting in the path, nothing else stops a user agent (or malware behind it) from spraying
 * calls at every AOR it can find in the DHT — the SPIT lesson of the CoSIP prototype.
 */
final class InviteLimiter {
    private final double perMilli;
    private final int burst;
    private double tokens;
    private long last;

    InviteLimiter(double perMinute, int burst, long now) {
        if (perMinute <= 0 || burst < 1) {
            throw new IllegalArgumentException("the P2P call rate must be > 0 per minute with a burst ≥ 1");
        }
        this.perMilli = perMinute / 60_000.0;
        this.burst = burst;
        this.tokens = burst;
        this.last = now;
    }

    boolean tryAcquire(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perMilli);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
